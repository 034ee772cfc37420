/// A parsed upstream response head. Owns a copy of the head's bytes (one allocation).
public struct ResponseHead: ParsedHead, Sendable {
    /// The head as received, from the status line to the final CRLF CRLF (leading empty lines excluded).
    public let bytes: [UInt8]
    /// 200...599 (1xx never reaches a `ResponseHead`: they are `.interim` or refused).
    public let status: Int
    public let version: HTTPVersion
    /// The field lines in order; ranges index `bytes`.
    public let fields: [HeaderField]
    /// How the body is delimited; see `ResponseHeadParser` for the rules.
    public let framing: BodyFraming
    /// False when the connection cannot carry another request after this response.
    public let keepAlive: Bool

    init(
        bytes: [UInt8],
        status: Int,
        version: HTTPVersion,
        fields: [HeaderField],
        framing: BodyFraming,
        keepAlive: Bool
    ) {
        self.bytes = bytes
        self.status = status
        self.version = version
        self.fields = fields
        self.framing = framing
        self.keepAlive = keepAlive
    }
}
