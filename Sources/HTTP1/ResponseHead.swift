/// A parsed upstream response head. Owns a copy of the head's bytes (one allocation).
public struct ResponseHead: Sendable {
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

    /// Index into `fields` of the first field named `name` (ASCII case-insensitive; `name` given lowercased).
    public func firstField(_ lowercasedName: StaticString) -> Int? {
        HeadFields.first(bytes, fields, lowercasedName)
    }

    /// Whether `field`'s name is `name` (ASCII case-insensitive; `name` given lowercased).
    public func nameEquals(_ field: HeaderField, _ lowercasedName: StaticString) -> Bool {
        ASCII.equalsLowercased(bytes, field.name, lowercasedName)
    }

    /// Decodes bytes[range] as UTF-8 (lossy).
    public func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// The first value of the field named `name` as a String, or nil.
    public func value(_ lowercasedName: StaticString) -> String? {
        firstField(lowercasedName).map { string(fields[$0].value) }
    }
}
