import AccessCheck

/// Framing rules evhttp 2.1 does not enforce (LIBEVENT.md, SPEC 5.5): a request that two parsers
/// could read differently is refused before it is routed (request smuggling, docs/threat-model.md).
enum FramingCheck {
    /// nil when the request is well framed, else why not (for the log; the client gets `bad_request`).
    static func problem(method: String, target: String, headers: [HTTPHeader], isHTTP10: Bool) -> String? {
        // RFC 9112 3.2: a request to an origin server uses origin-form.
        guard target.hasPrefix("/") else { return "request target is not origin-form" }
        var lengths = 0
        var hasTransferEncoding = false
        var hosts = 0
        for header in headers {
            if header.name.caseInsensitiveEquals("Content-Length") {
                lengths += 1
                guard decimal(header.value) != nil else { return "Content-Length is not a plain decimal" }
            } else if header.name.caseInsensitiveEquals("Transfer-Encoding") {
                hasTransferEncoding = true
            } else if header.name.caseInsensitiveEquals("Host") {
                hosts += 1
            }
        }
        if lengths > 1 { return "more than one Content-Length" }
        // RFC 9112 6.1: both together are how requests are smuggled.
        if lengths == 1 && hasTransferEncoding { return "Content-Length together with Transfer-Encoding" }
        // RFC 9112 3.2: exactly one Host in HTTP/1.1.
        if hosts > 1 || (hosts == 0 && !isHTTP10) { return "Host header missing or repeated" }
        return nil
    }

    /// A `Content-Length` value: 1–18 ASCII digits, no sign, no spaces inside.
    static func decimal(_ text: String) -> Int? {
        let trimmed = text.trimmingHTTPWhitespace()
        guard (1...18).contains(trimmed.utf8.count),
            trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(trimmed)
    }
}
