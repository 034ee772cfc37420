/// A header field as byte ranges into its head's `bytes`; the value has surrounding OWS (SP/HTAB) trimmed.
public struct HeaderField: Sendable, Equatable {
    /// The field name, 1*tchar, as received (any case).
    public var name: Range<Int>
    /// The field value without leading or trailing OWS; may be empty.
    public var value: Range<Int>

    public init(name: Range<Int>, value: Range<Int>) {
        self.name = name
        self.value = value
    }
}
