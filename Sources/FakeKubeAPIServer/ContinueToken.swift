import Foundation

/// A list's continue token in the API server's format: unpadded base64url of
/// `{"v":"meta.k8s.io/v1","rv":<list resourceVersion>,"start":"<last key>\u0000"}`. The next page holds the keys after
/// the last one of this page, read from the list's snapshot at `resourceVersion`.
struct ContinueToken {
    var resourceVersion: Int
    var lastKey: String

    var encoded: String {
        let json = #"{"v":"meta.k8s.io/v1","rv":\#(resourceVersion),"start":\#(KubeReply.quote(lastKey + "\u{0}"))}"#
        return Data(json.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(resourceVersion: Int, lastKey: String) {
        self.resourceVersion = resourceVersion
        self.lastKey = lastKey
    }

    /// nil for anything this server did not issue.
    init?(_ text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            object["v"] as? String == "meta.k8s.io/v1", let version = object["rv"] as? Int,
            let start = object["start"] as? String, start.hasSuffix("\u{0}")
        else { return nil }
        resourceVersion = version
        lastKey = String(start.dropLast())
    }
}
