import AccessCheck

/// Reading framing fields of headers already split into names and values (a relayed answer's
/// `Content-Length`). Requests and responses are framed by the HTTP1 codec.
enum FramingCheck {
    /// A `Content-Length` value: 1–18 ASCII digits, no sign, no spaces inside.
    static func decimal(_ text: String) -> Int? {
        let trimmed = text.trimmingHTTPWhitespace()
        guard (1...18).contains(trimmed.utf8.count),
            trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(trimmed)
    }
}
