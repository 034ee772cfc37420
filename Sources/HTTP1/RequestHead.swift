/// A parsed request head. Owns a copy of the head's bytes (one allocation), so it outlives the read buffer.
public struct RequestHead: ParsedHead, Sendable {
    /// The head as received, from the request line to the final CRLF CRLF (leading empty lines excluded).
    public let bytes: [UInt8]
    public let method: HTTPMethod
    /// Origin-form target ("/path?query"), or "*" for OPTIONS.
    public let target: Range<Int>
    /// Index of '?' in bytes, or target.upperBound when there is no query.
    public let pathEnd: Int
    public let version: HTTPVersion
    /// The field lines in order; ranges index `bytes`.
    public let fields: [HeaderField]
    /// .none, .length(n) or .chunked (never .untilClose for a request).
    public let framing: BodyFraming
    /// 1.1: unless `Connection: close`; 1.0: only with `Connection: keep-alive` (and no `close`).
    public let keepAlive: Bool
    /// `Expect: 100-continue` (case-insensitive).
    public let expectsContinue: Bool

    init(
        bytes: [UInt8],
        method: HTTPMethod,
        target: Range<Int>,
        pathEnd: Int,
        version: HTTPVersion,
        fields: [HeaderField],
        framing: BodyFraming,
        keepAlive: Bool,
        expectsContinue: Bool
    ) {
        self.bytes = bytes
        self.method = method
        self.target = target
        self.pathEnd = pathEnd
        self.version = version
        self.fields = fields
        self.framing = framing
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }

    /// The target up to the query: bytes[target.lowerBound..<pathEnd].
    public var path: String { string(target.lowerBound..<pathEnd) }

    /// What follows '?', or nil when there is no '?'.
    public var query: String? {
        pathEnd < target.upperBound ? string((pathEnd + 1)..<target.upperBound) : nil
    }
}
