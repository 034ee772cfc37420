import Foundation

/// What one probe attempt says about access (SPEC 3.2).
public enum ProbeClassification: Hashable, Sendable {
    /// 2xx with a `data` array (served ids, backend order), or 405 (no ids: `via405`).
    case granted(served: [ServedModel], via405: Bool)
    /// 401, 403, 404, or 2xx without `data`: a definite no.
    case denied(status: Int)
    /// Anything else: worth another attempt.
    case retryable(reason: String)
}

/// Classifies probe responses (SPEC 3.2).
public enum ProbeClassifier {
    public static func classify(_ response: ProbeResponse) -> ProbeClassification {
        switch response {
        case .failed(let reason):
            return .retryable(reason: reason)
        case .bodyTooLarge(let status):
            return .retryable(reason: "status \(status) with a body over the limit")
        case .http(let status, let body):
            switch status {
            case 200..<300: return classifyListing(status: status, body: body)
            case 405: return .granted(served: [], via405: true)
            case 401, 403, 404: return .denied(status: status)
            default: return .retryable(reason: "status \(status)")
            }
        }
    }

    private static func classifyListing(status: Int, body: [UInt8]) -> ProbeClassification {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
            let dictionary = object as? [String: Any]
        else { return .retryable(reason: "status \(status) with a body that is not a JSON object") }
        guard let data = dictionary["data"], !(data is NSNull) else { return .denied(status: status) }
        guard let entries = data as? [Any] else { return .retryable(reason: "status \(status) with a non-array data") }
        let served = entries.compactMap { entry -> ServedModel? in
            guard let entry = entry as? [String: Any], let id = entry["id"] as? String, !id.isEmpty else { return nil }
            return ServedModel(id: id, created: positiveInteger(entry["created"]))
        }
        return .granted(served: served, via405: false)
    }

    private static func positiveInteger(_ value: Any?) -> Int64 {
        guard let number = value as? NSNumber else { return 0 }
        let double = number.doubleValue
        guard double.rounded() == double, double > 0, double < 1e15 else { return 0 }
        return number.int64Value
    }
}
