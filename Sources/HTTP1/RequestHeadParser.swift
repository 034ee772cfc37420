/// Incremental request head parser, one per connection. `parse` is given ALL unconsumed bytes each
/// time (the same prefix as the last call plus what arrived since); it must remember how far it
/// scanned so a head trickled byte by byte costs O(total bytes), not O(n^2). After `.head`, the caller
/// drops `consumed` bytes (leading CRLFs + the head) and calls `reset()` before the next request.
///
/// Every line is validated as soon as its CRLF arrives, so a malformed request is refused without waiting
/// for the end of the head. The parser resets itself after returning `.head` (calling `reset()` again is
/// harmless); after `.refused` it keeps returning the same refusal until `reset()`.
///
/// Request line rules (RFC 9112 section 3): `method SP request-target SP HTTP-version`, single SPs.
/// Checks run in this order: syntax (400), then the version (505), then the method (501), then the target's
/// form (400). The version part is `HTTP/1.0` or `HTTP/1.1`; `HTTP/` followed by one or more of
/// DIGIT "." "-" "+" (`HTTP/2.0`, `HTTP/0.9`, `HTTP/1.19620`, `HTTP/-01.1`) is a version we do not speak
/// (505); anything else, `http/1.1` included (the name is case-sensitive, RFC 9112 2.3), is garbage (400).
public struct RequestHeadParser: Sendable {
    private let limits: HeadLimits
    private var lines = HeadLines()
    private var method = HTTPMethod.get
    /// Absolute indices into the caller's buffer (the head starts at `lines.headStart`).
    private var target = 0..<0
    private var pathEnd = 0
    private var version = HTTPVersion.http11
    /// Ranges already relative to the head's start.
    private var fields: [HeaderField] = []
    private var hosts = 0
    private var authorizations = 0
    private var contentLength = -1
    private var chunked = false
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expectsContinue = false
    private var failure: RequestRefusal?

    public init(limits: HeadLimits) {
        self.limits = limits
    }

    /// Forgets the previous request; call before parsing the next one on the connection.
    public mutating func reset() {
        self = RequestHeadParser(limits: limits)
    }

    /// Parses the unconsumed bytes of the connection; see the type's contract.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer) -> RequestParse {
        if let failure { return .refused(failure) }
        guard let raw = buffer.baseAddress, !buffer.isEmpty else { return .needMore }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        while true {
            switch lines.next(p, count: buffer.count, maxHeadBytes: limits.maxHeadBytes) {
            case .needMore:
                return .needMore
            case .tooLarge:
                return refuse(.headersTooLarge)
            case .invalid(let why):
                return refuse(.badRequest("\(why)"))
            case .start(let line):
                if let refusal = requestLine(p, line) { return refuse(refusal) }
            case .field(let line):
                if let refusal = fieldLine(p, line) { return refuse(refusal) }
            case .end(let headEnd):
                return finish(p, headEnd)
            }
        }
    }

    private mutating func refuse(_ refusal: RequestRefusal) -> RequestParse {
        failure = refusal
        return .refused(refusal)
    }

    private mutating func requestLine(_ p: UnsafePointer<UInt8>, _ line: Range<Int>) -> RequestRefusal? {
        let end = line.upperBound
        var i = line.lowerBound
        // method = token (RFC 9112 3.1). `p[end]` is the line's CR, which stops both scans below.
        while ASCII.isToken(p[i]) { i &+= 1 }
        let methodRange = line.lowerBound..<i
        guard !methodRange.isEmpty, i < end, p[i] == ASCII.sp else { return .badRequest("invalid method token") }
        i &+= 1
        // request-target (RFC 9112 3.2): visible ASCII only; '#' would start a fragment, which is never sent.
        let targetStart = i
        var query = -1
        while ASCII.isTargetChar(p[i]) {
            if p[i] == ASCII.question && query < 0 { query = i }
            i &+= 1
        }
        guard i < end else { return .badRequest("request line without a version") }
        if p[i] == ASCII.hash { return .badRequest("fragment in request target") }
        guard i > targetStart else { return .badRequest("empty request target") }
        guard p[i] == ASCII.sp else { return .badRequest("invalid byte in request target") }
        let targetRange = targetStart..<i
        i &+= 1
        switch Self.version(p, i..<end) {
        case .some(let parsed): version = parsed
        case .none:
            return Self.looksLikeVersion(p, i..<end) ? .versionNotSupported : .badRequest("invalid HTTP version")
        }
        guard let known = HTTPMethod.match(p, methodRange) else {
            // The token is all tchar already; only its length needs bounding for the log.
            let shown = methodRange.lowerBound..<min(methodRange.upperBound, methodRange.lowerBound + 32)
            return .methodNotSupported(ASCII.string(p, shown))
        }
        method = known
        // Origin-form only (RFC 9112 3.2.1), or asterisk-form for OPTIONS (3.2.4). A reverse proxy is not
        // a forward proxy: absolute-form and authority-form (CONNECT) are refused.
        if p[targetStart] != ASCII.slash {
            guard targetRange.count == 1, p[targetStart] == ASCII.star, known == .options else {
                return .badRequest("request target not in origin-form")
            }
        }
        target = targetRange
        pathEnd = query < 0 ? targetRange.upperBound : query
        fields.reserveCapacity(16)
        return nil
    }

    /// `HTTP/1.0` or `HTTP/1.1` exactly, else nil.
    @inline(__always)
    static func version(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> HTTPVersion? {
        guard range.count == 8 else { return nil }
        let s = range.lowerBound
        // "HTTP/1." as bytes.
        guard p[s] == 0x48, p[s + 1] == 0x54, p[s + 2] == 0x54, p[s + 3] == 0x50, p[s + 4] == ASCII.slash,
            p[s + 5] == 0x31, p[s + 6] == 0x2E
        else { return nil }
        switch p[s + 7] {
        case 0x30: return .http10
        case 0x31: return .http11
        default: return nil
        }
    }

    /// `HTTP/` followed by 1*( DIGIT / "." / "-" / "+" ): a version, just not one we speak.
    static func looksLikeVersion(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count > 5 else { return false }
        let s = range.lowerBound
        guard p[s] == 0x48, p[s + 1] == 0x54, p[s + 2] == 0x54, p[s + 3] == 0x50, p[s + 4] == ASCII.slash else {
            return false
        }
        for i in (s + 5)..<range.upperBound {
            let byte = p[i]
            guard ASCII.isDigit(byte) || byte == 0x2E || byte == 0x2D || byte == 0x2B else { return false }
        }
        return true
    }

    private mutating func fieldLine(_ p: UnsafePointer<UInt8>, _ line: Range<Int>) -> RequestRefusal? {
        guard fields.count < limits.maxFields else { return .headersTooLarge }
        let name: Range<Int>
        let value: Range<Int>
        switch FieldLine.record(p, line, headStart: lines.headStart, into: &fields) {
        case .failure(let invalid): return .badRequest("\(invalid.reason)")
        case .success(let field): (name, value) = field
        }
        // The fields that decide framing and routing; dispatch on the name's length to skip the rest fast.
        switch name.count {
        case 4:
            if ASCII.matchesKnown(p, name, "host") {
                // RFC 9112 3.2: exactly one Host in 1.1; more than one is refused in any version.
                hosts &+= 1
                if hosts > 1 { return .badRequest("repeated Host") }
            }
        case 6:
            if ASCII.matchesKnown(p, name, "expect") && ASCII.matchesKnown(p, value, "100-continue") {
                expectsContinue = true
            }
        case 10:
            if ASCII.matchesKnown(p, name, "connection") {
                // RFC 9112 9.3 and 9.6: connection options are a comma-separated, case-insensitive token list.
                HeadFields.forEachElement(p, value) { element in
                    if ASCII.matchesKnown(p, element, "close") {
                        connectionClose = true
                    } else if ASCII.matchesKnown(p, element, "keep-alive") {
                        connectionKeepAlive = true
                    }
                }
            }
        case 13:
            if ASCII.matchesKnown(p, name, "authorization") {
                // Two credentials are ambiguous: which one would the backend check?
                authorizations &+= 1
                if authorizations > 1 { return .badRequest("repeated Authorization") }
            }
        case 14:
            if ASCII.matchesKnown(p, name, "content-length") {
                // RFC 9112 6.3 point 5 lets a recipient merge equal values; refusing is the smuggling-safe choice.
                if contentLength >= 0 { return .badRequest("repeated Content-Length") }
                contentLength = ASCII.contentLength(p, value)
                if contentLength < 0 { return .badRequest("invalid Content-Length") }
            }
        case 17:
            if ASCII.matchesKnown(p, name, "transfer-encoding") {
                // Only `chunked` alone: any other coding list is a smuggling risk and of no use to the proxy
                // (RFC 9112 6.1: a server that does not understand a coding answers 501; 400 is stricter).
                if chunked { return .badRequest("repeated Transfer-Encoding") }
                guard ASCII.matchesKnown(p, value, "chunked") else {
                    return .badRequest("unsupported Transfer-Encoding")
                }
                chunked = true
            }
        default:
            break
        }
        return nil
    }

    private mutating func finish(_ p: UnsafePointer<UInt8>, _ headEnd: Int) -> RequestParse {
        if version == .http11 && hosts == 0 { return refuse(.badRequest("missing Host")) }
        let framing: BodyFraming
        if chunked {
            // RFC 9112 6.1: TE in a 1.0 request means faulty framing; TE with CL is the classic smuggling pair.
            if version == .http10 { return refuse(.badRequest("Transfer-Encoding in an HTTP/1.0 request")) }
            if contentLength >= 0 { return refuse(.badRequest("both Transfer-Encoding and Content-Length")) }
            framing = .chunked
        } else if contentLength >= 0 {
            if contentLength > limits.maxBodyBytes { return refuse(.bodyTooLarge) }
            // Every method: a GET or HEAD with Content-Length has a body, never the next request.
            framing = .length(contentLength)
        } else {
            framing = .none
        }
        let keepAlive = version == .http11 ? !connectionClose : connectionKeepAlive && !connectionClose
        let base = lines.headStart
        let head = RequestHead(
            bytes: Array(UnsafeBufferPointer(start: p + base, count: headEnd &- base)),
            method: method,
            target: (target.lowerBound &- base)..<(target.upperBound &- base),
            pathEnd: pathEnd &- base,
            version: version,
            fields: fields,
            framing: framing,
            keepAlive: keepAlive,
            expectsContinue: expectsContinue
        )
        reset()
        return .head(head, consumed: headEnd)
    }
}
