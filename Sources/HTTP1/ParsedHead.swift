/// What a parsed request or response head shares: its bytes and its fields as ranges into them.
/// The lookups are written once here for both.
public protocol ParsedHead {
    var bytes: [UInt8] { get }
    var fields: [HeaderField] { get }
}

extension ParsedHead {
    /// Index into `fields` of the first field named `name` (ASCII case-insensitive; `name` given lowercased).
    @inlinable
    public func firstField(_ lowercasedName: StaticString) -> Int? {
        HeadFields.first(bytes, fields, lowercasedName)
    }

    /// Whether `field`'s name is `name` (ASCII case-insensitive; `name` given lowercased).
    @inlinable
    public func nameEquals(_ field: HeaderField, _ lowercasedName: StaticString) -> Bool {
        ASCII.equalsLowercased(bytes, field.name, lowercasedName)
    }

    /// Every field named `name`, in order.
    @inlinable
    public func fields(named lowercasedName: StaticString) -> [HeaderField] {
        fields.filter { ASCII.equalsLowercased(bytes, $0.name, lowercasedName) }
    }

    /// Decodes bytes[range] as UTF-8 (lossy).
    @inlinable
    public func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// The first value of the field named `name` as a String, or nil.
    @inlinable
    public func value(_ lowercasedName: StaticString) -> String? {
        firstField(lowercasedName).map { string(fields[$0].value) }
    }
}
