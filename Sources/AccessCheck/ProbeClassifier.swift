import Foundation

/// Classifies probe responses (SPEC 3.2).
public enum ProbeClassifier {
    /// 2xx: a JSON object body with a `data` array is granted (served = entries with a non-empty
    /// string `id`, backend order); `data` missing or null is denied; any other body is retryable.
    /// 405 is granted without ids; 401, 403, 404 and every other 4xx but 408, 425 and 429 denied at
    /// once (a client error does not change on retry); every other status or failure retryable.
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
            case 408, 425, 429: return .retryable(reason: "status \(status)")
            // Stock LiteLLM answers an unknown key 400: retrying it cost every cold listing 0.8 s.
            case 400..<500: return .denied(status: status)
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
            let maxModelLength = positiveInteger(entry["max_model_len"])
            return ServedModel(
                id: id,
                created: positiveInteger(entry["created"]),
                maxModelLength: maxModelLength > 0 ? maxModelLength : nil
            )
        }
        return .granted(served: served, via405: false)
    }

    /// `created` or `max_model_len` when it is a positive integral number (not a boolean, string or fraction), else 0.
    private static func positiveInteger(_ value: Any?) -> Int64 {
        // JSONSerialization hands booleans over as NSNumber too; their type encoding is "c".
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return 0 }
        let double = number.doubleValue
        guard double.rounded() == double, double > 0, double < 1e15 else { return 0 }
        return number.int64Value
    }
}
