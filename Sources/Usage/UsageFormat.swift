/// How an answer's body carries its usage, decided from its head (SPEC 7).
public enum UsageFormat: Equatable, Sendable {
    /// One JSON text (`application/json`, or any `application/…+json`).
    case json
    /// Server-sent events (`text/event-stream`), each `data:` event one JSON text.
    case eventStream

    /// The format of an answer with this `Content-Type` value and no `Content-Encoding`; nil when its
    /// usage cannot be read (no JSON or event-stream media type).
    ///
    /// Media types compare ASCII case-insensitively and their parameters (`; charset=utf-8`) are
    /// ignored (RFC 9110 8.3.1).
    public init?(contentType: some Collection<UInt8>) {
        guard let format = Self.contiguous(contentType, Self.mediaFormat) else { return nil }
        self = format
    }

    /// As `init?(contentType:)`, and nil as well when `contentEncoding` (the field value as sent;
    /// several fields joined by commas) names a coding other than `identity`: the proxy relays
    /// compressed bodies untouched, so their bytes are not JSON.
    public init?(contentType: some Collection<UInt8>, contentEncoding: some Collection<UInt8>) {
        guard Self.contiguous(contentEncoding, Self.isIdentity),
            let format = Self.contiguous(contentType, Self.mediaFormat)
        else { return nil }
        self = format
    }

    /// As `init?(contentType:contentEncoding:)`, over the values' bytes in place (a parsed head's),
    /// `contentEncoding` nil when the field is absent: one direct call, nothing generic across modules.
    public init?(contentType: UnsafeBufferPointer<UInt8>, contentEncoding: UnsafeBufferPointer<UInt8>?) {
        if let contentEncoding, !Self.isIdentity(contentEncoding) { return nil }
        guard let format = Self.mediaFormat(contentType) else { return nil }
        self = format
    }

    /// The head's values as Strings (nil when the field is absent).
    public init?(contentType: String?, contentEncoding: String? = nil) {
        guard let contentType else { return nil }
        // A native String's UTF-8 is contiguous: read in place.
        if let contentEncoding {
            self.init(contentType: contentType.utf8, contentEncoding: contentEncoding.utf8)
        } else {
            self.init(contentType: contentType.utf8)
        }
    }

    // Both readers look at each byte once and keep no copy: they run for every answer's head.

    /// `body` over `value`'s bytes in place (a String's, an array's, a slice's), or over a copy.
    private static func contiguous<Result>(
        _ value: some Collection<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if let result = value.withContiguousStorageIfAvailable(body) { return result }
        return Array(value).withUnsafeBufferPointer(body)
    }

    private static func mediaFormat(_ value: UnsafeBufferPointer<UInt8>) -> UsageFormat? {
        // The two values backends send (nearly always), whole or before their parameters: two or three
        // words compared, as `equalsLowercased` would (no byte of theirs is whitespace or `;`, so the
        // media type is exactly them when the value ends or a parameter or whitespace follows).
        if value.count >= 16, let base = value.baseAddress {
            let bytes = UnsafeRawPointer(base)
            let first = bytes.loadUnaligned(as: UInt64.self) | 0x2020_2020_2020_2020
            let second = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self) | 0x2020_2020_2020_2020
            func endsAt(_ count: Int) -> Bool {
                value.count == count || value[count] == UInt8(ascii: ";") || value[count] == 0x20
                    || value[count] == 0x09
            }
            if first == Self.word("application/json", 0), second == Self.word("application/json", 8), endsAt(16) {
                return .json
            }
            if value.count >= 17, first == Self.word("text/event-stream", 0),
                second == Self.word("text/event-stream", 8), value[16] | 0x20 == UInt8(ascii: "m"), endsAt(17)
            {
                return .eventStream
            }
        }
        // type "/" subtype: from the first byte that is not whitespace to the parameters or whitespace.
        var start = 0
        while start < value.count, value[start] == 0x20 || value[start] == 0x09 { start += 1 }
        var end = start
        while end < value.count, value[end] != UInt8(ascii: ";"), value[end] != 0x20, value[end] != 0x09 { end += 1 }
        let media = UnsafeBufferPointer(rebasing: value[start..<end])
        if equalsLowercased(media, "application/json") { return .json }
        if equalsLowercased(media, "text/event-stream") { return .eventStream }
        if media.count > 17, equalsLowercased(UnsafeBufferPointer(rebasing: media[..<12]), "application/"),
            media[(media.count - 5)...].elementsEqual("+json".utf8, by: { $0 | 0x20 == $1 })
        {
            return .json
        }
        return nil
    }

    /// Whether `bytes`, ASCII-lowercased, are `text` (lowercase letters, `/`, `-`, `+`; at least 8 bytes).
    private static func equalsLowercased(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count == count, count >= 8, let base = bytes.baseAddress else { return false }
        // Every byte of the media types compared has bit 5 set (letters, `/`, `-`, `+`): setting it in
        // the value's bytes lowercases its letters and lets no printable byte but those match. Eight
        // bytes a step, the last word overlapping.
        let value = UnsafeRawPointer(base)
        let expected = UnsafeRawPointer(text.utf8Start)
        func word(_ offset: Int) -> Bool {
            value.loadUnaligned(fromByteOffset: offset, as: UInt64.self) | 0x2020_2020_2020_2020
                == expected.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        }
        var offset = 0
        while offset < count - 8 {
            guard word(offset) else { return false }
            offset += 8
        }
        return word(count - 8)
    }

    /// The eight bytes of `text` from `offset`, as `loadUnaligned` reads them.
    @inline(__always)
    private static func word(_ text: StaticString, _ offset: Int) -> UInt64 {
        UnsafeRawPointer(text.utf8Start).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    private static func isIdentity(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        // Each comma-separated coding, whitespace trimmed, must be empty or `identity`.
        var length = 0
        var isIdentity = true
        for byte in value {
            switch byte {
            case 0x20, 0x09: continue
            case UInt8(ascii: ","):
                guard length == 0 || (isIdentity && length == 8) else { return false }
                length = 0
                isIdentity = true
            default:
                isIdentity = isIdentity && matches(lowercased(byte), at: length, in: "identity")
                length += 1
            }
        }
        return length == 0 || (isIdentity && length == 8)
    }

    /// Whether `text` has `byte` at `position`.
    private static func matches(_ byte: UInt8, at position: Int, in text: StaticString) -> Bool {
        position < text.utf8CodeUnitCount && text.utf8Start[position] == byte
    }
}
