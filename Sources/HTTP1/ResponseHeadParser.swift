/// Incremental upstream response head parser (same incremental contract as RequestHeadParser).
///
/// Status line (RFC 9112 section 4): `HTTP/1.0` or `HTTP/1.1`, SP, 3DIGIT in 100...599, then SP and a
/// reason phrase (possibly empty); the SP may also be missing when the reason is empty. Field lines follow
/// the request rules. Framing (RFC 9112 6.3):
/// - request was HEAD, or 204 / 304: `.none`;
/// - Transfer-Encoding whose last coding is `chunked`: `.chunked` (a Content-Length beside it is ignored);
///   Transfer-Encoding without `chunked` last: `.untilClose`;
/// - else Content-Length, every copy valid and equal: `.length(n)` (differing or invalid values: `.invalid`);
/// - else `.untilClose`.
///
/// keepAlive: HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `keep-alive`; always false for
/// `.untilClose`, and false when Transfer-Encoding comes in a 1.0 response or together with Content-Length
/// (RFC 9112 6.1 and 6.3: such framing is suspect, so the connection is not reused).
///
/// Up to `HeadLines.maxLeadingEmptyLines` empty lines before the status line are skipped, as for requests.
/// The parser resets itself after `.interim` and `.head`; after `.invalid` it keeps answering the same.
public struct ResponseHeadParser: Sendable {
    private let maxHeadBytes: Int
    private var lines = HeadLines()
    private var status = 0
    private var version = HTTPVersion.http11
    private var fields: [HeaderField] = []
    private var contentLength = -1
    private var contentLengthInvalid: StaticString?
    private var transferEncoding = false
    private var lastCodingChunked = false
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var failure: String?

    public init(maxHeadBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Forgets the previous response.
    public mutating func reset() {
        self = ResponseHeadParser(maxHeadBytes: maxHeadBytes)
    }

    /// `requestWasHEAD`: the response to a HEAD has no body whatever its headers say.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer, requestWasHEAD: Bool) -> ResponseParse {
        if let failure { return .invalid(failure) }
        guard let raw = buffer.baseAddress, !buffer.isEmpty else { return .needMore }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        while true {
            switch lines.next(p, count: buffer.count, maxHeadBytes: maxHeadBytes) {
            case .needMore:
                return .needMore
            case .tooLarge:
                return fail("response head too large")
            case .invalid(let why):
                return fail(why)
            case .start(let line):
                if let why = statusLine(p, line) { return fail(why) }
            case .field(let line):
                if let why = fieldLine(p, line) { return fail(why) }
            case .end(let headEnd):
                return finish(p, headEnd, requestWasHEAD: requestWasHEAD)
            }
        }
    }

    private mutating func fail(_ why: StaticString) -> ResponseParse {
        let reason = "\(why)"
        failure = reason
        return .invalid(reason)
    }

    private mutating func statusLine(_ p: UnsafePointer<UInt8>, _ line: Range<Int>) -> StaticString? {
        // "HTTP/1.x" SP 3DIGIT = 12 bytes at least.
        guard line.count >= 12, let parsed = RequestHeadParser.version(p, line.lowerBound..<(line.lowerBound + 8))
        else { return "invalid status line or HTTP version" }
        let s = line.lowerBound
        guard p[s + 8] == ASCII.sp else { return "invalid status line" }
        let d0 = p[s + 9] &- 0x30
        let d1 = p[s + 10] &- 0x30
        let d2 = p[s + 11] &- 0x30
        guard d0 < 10, d1 < 10, d2 < 10 else { return "invalid status code" }
        let code = Int(d0) * 100 + Int(d1) * 10 + Int(d2)
        guard (100...599).contains(code) else { return "status code out of range" }
        // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ): the line scanner already refused anything else.
        if line.count > 12 && p[s + 12] != ASCII.sp { return "invalid status line" }
        if code == 101 { return "101 Switching Protocols: the proxy never upgrades" }
        status = code
        version = parsed
        fields.reserveCapacity(16)
        return nil
    }

    private mutating func fieldLine(_ p: UnsafePointer<UInt8>, _ line: Range<Int>) -> StaticString? {
        let name: Range<Int>
        let value: Range<Int>
        switch FieldLine.record(p, line, headStart: lines.headStart, into: &fields) {
        case .failure(let invalid): return invalid.reason
        case .success(let field): (name, value) = field
        }
        switch name.count {
        case 10:
            if ASCII.matchesKnown(p, name, "connection") {
                HeadFields.forEachElement(p, value) { element in
                    if ASCII.matchesKnown(p, element, "close") {
                        connectionClose = true
                    } else if ASCII.matchesKnown(p, element, "keep-alive") {
                        connectionKeepAlive = true
                    }
                }
            }
        case 14:
            if ASCII.matchesKnown(p, name, "content-length") {
                // RFC 9112 6.3 point 5: equal repeated values may be merged; differing ones are an error.
                let parsed = ASCII.contentLength(p, value)
                if parsed < 0 {
                    contentLengthInvalid = "invalid Content-Length"
                } else if contentLength >= 0 && contentLength != parsed {
                    contentLengthInvalid = "conflicting Content-Length values"
                } else {
                    contentLength = parsed
                }
            }
        case 17:
            if ASCII.matchesKnown(p, name, "transfer-encoding") {
                // RFC 9112 6.3 point 4: what matters is whether `chunked` is the final coding; several fields
                // form one list in order (RFC 9110 5.3), so the last element of the last non-empty field wins.
                transferEncoding = true
                HeadFields.forEachElement(p, value) { element in
                    var i = element.lowerBound
                    while i < element.upperBound && ASCII.isToken(p[i]) { i &+= 1 }
                    // A coding with parameters (`chunked;x=y`) is not plain `chunked`: read until close.
                    lastCodingChunked = i == element.upperBound && ASCII.matchesKnown(p, element, "chunked")
                }
            }
        default:
            break
        }
        return nil
    }

    private mutating func finish(_ p: UnsafePointer<UInt8>, _ headEnd: Int, requestWasHEAD: Bool) -> ResponseParse {
        if status < 200 {
            // 1xx interim (RFC 9110 15.2): skip it, the final response follows.
            reset()
            return .interim(consumed: headEnd)
        }
        var framing: BodyFraming
        var reusable = version == .http11 ? !connectionClose : connectionKeepAlive && !connectionClose
        if transferEncoding {
            framing = lastCodingChunked ? .chunked : .untilClose
            if version == .http10 || contentLength >= 0 || contentLengthInvalid != nil { reusable = false }
        } else if let why = contentLengthInvalid {
            return fail(why)
        } else if contentLength >= 0 {
            framing = .length(contentLength)
        } else {
            framing = .untilClose
        }
        // RFC 9112 6.3 point 1: no body for HEAD, 204, 304, whatever the fields say.
        if requestWasHEAD || status == 204 || status == 304 { framing = .none }
        if framing == .untilClose { reusable = false }
        let base = lines.headStart
        let head = ResponseHead(
            bytes: Array(UnsafeBufferPointer(start: p + base, count: headEnd &- base)),
            status: status,
            version: version,
            fields: fields,
            framing: framing,
            keepAlive: reusable
        )
        reset()
        return .head(head, consumed: headEnd)
    }
}
