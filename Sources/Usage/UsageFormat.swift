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
        guard let format = Self.mediaFormat(contentType) else { return nil }
        self = format
    }

    /// As `init?(contentType:)`, and nil as well when `contentEncoding` (the field value as sent;
    /// several fields joined by commas) names a coding other than `identity`: the proxy relays
    /// compressed bodies untouched, so their bytes are not JSON.
    public init?(contentType: some Collection<UInt8>, contentEncoding: some Collection<UInt8>) {
        guard Self.isIdentity(contentEncoding), let format = Self.mediaFormat(contentType) else { return nil }
        self = format
    }

    /// The head's values as Strings (nil when the field is absent).
    public init?(contentType: String?, contentEncoding: String? = nil) {
        guard let contentType else { return nil }
        if let contentEncoding {
            self.init(contentType: contentType.utf8, contentEncoding: contentEncoding.utf8)
        } else {
            self.init(contentType: contentType.utf8)
        }
    }

    // Both readers look at each byte once and keep no copy: they run for every answer's head.

    private static func mediaFormat(_ value: some Collection<UInt8>) -> UsageFormat? {
        // type "/" subtype up to the parameters or trailing whitespace, lowercased, compared as it goes:
        // whether it is still `text/event-stream`, `application/json`, `application/` so far, and its
        // last five bytes (for `+json`).
        var length = 0
        var isEventStream = true
        var isJSON = true
        var isApplication = true
        var lastFive: UInt64 = 0
        for byte in value {
            if byte == 0x20 || byte == 0x09 {
                if length > 0 { break }
                continue
            }
            if byte == UInt8(ascii: ";") { break }
            let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            isEventStream = isEventStream && matches(lowered, at: length, in: "text/event-stream")
            isJSON = isJSON && matches(lowered, at: length, in: "application/json")
            if length < 12 { isApplication = isApplication && matches(lowered, at: length, in: "application/") }
            lastFive = (lastFive << 8 | UInt64(lowered)) & 0xFF_FFFF_FFFF
            length += 1
        }
        if isEventStream && length == 17 { return .eventStream }
        if isJSON && length == 16 { return .json }
        // "+json", first byte highest.
        if isApplication && length > 17 && lastFive == 0x2B_6A73_6F6E { return .json }
        return nil
    }

    private static func isIdentity(_ value: some Collection<UInt8>) -> Bool {
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
                let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                isIdentity = isIdentity && matches(lowered, at: length, in: "identity")
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
