import Foundation

/// Classifies probe responses (SPEC 3.2).
public enum ProbeClassifier {
    /// 2xx: a JSON object body with a `data` array is granted (served = entries with a non-empty
    /// string `id`, backend order); `data` missing or null is denied; any other body is retryable.
    /// 405 is granted without ids; 401, 403, 404 denied; every other status or failure retryable.
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

    /// `created` when it is a positive integral number (not a boolean, string or fraction), else 0.
    private static func positiveInteger(_ value: Any?) -> Int64 {
        // JSONSerialization hands booleans over as NSNumber too; their type encoding is "c".
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return 0 }
        let double = number.doubleValue
        guard double.rounded() == double, double > 0, double < 1e15 else { return 0 }
        return number.int64Value
    }
}
