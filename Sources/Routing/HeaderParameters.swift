/// The `*( OWS ";" OWS [ parameter ] )` after a media type (RFC 9110 section 5.6.6 and 8.3.1) or
/// a disposition type (RFC 6266 section 4.1), read one parameter at a time over borrowed bytes.
///
/// A parameter is `token "=" ( token / quoted-string )`; empty ones (`;;`) are skipped, as RFC
/// 9110's grammar allows. Positions are offsets into `bytes`.
struct HeaderParameters {
    /// One `name=value`; for a quoted value, `value` is what lies between the quotes, escapes
    /// (`\x`) still in it.
    struct Parameter {
        var name: Range<Int>
        var value: Range<Int>
        var quoted: Bool
        /// Whether a quoted value contains a quoted-pair (`\x`).
        var escaped: Bool
    }

    enum Step {
        case parameter(Parameter)
        case end
        case malformed
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private let end: Int

    /// Parameters of `bytes[range]`, starting right after the type.
    init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self.bytes = bytes
        index = range.lowerBound
        end = range.upperBound
    }

    mutating func next() -> Step {
        while true {
            skipWhitespace()
            guard index < end else { return .end }
            guard bytes[index] == UInt8(ascii: ";") else { return .malformed }
            index += 1
            skipWhitespace()
            guard index < end else { return .end }
            // An empty parameter: another `;` follows.
            if bytes[index] == UInt8(ascii: ";") { continue }
            let nameStart = index
            while index < end, Self.isTokenByte(bytes[index]) { index += 1 }
            let name = nameStart..<index
            guard !name.isEmpty, index < end, bytes[index] == UInt8(ascii: "=") else { return .malformed }
            index += 1
            guard index < end else { return .malformed }
            if bytes[index] != UInt8(ascii: "\"") {
                let valueStart = index
                while index < end, Self.isTokenByte(bytes[index]) { index += 1 }
                guard index > valueStart else { return .malformed }
                return .parameter(Parameter(name: name, value: valueStart..<index, quoted: false, escaped: false))
            }
            index += 1
            let valueStart = index
            var escaped = false
            while true {
                guard index < end else { return .malformed }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") {
                    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                    guard index + 1 < end, Self.isQuotedPairByte(bytes[index + 1]) else { return .malformed }
                    escaped = true
                    index += 2
                    continue
                }
                guard Self.isQuotedTextByte(byte) else { return .malformed }
                index += 1
            }
            let value = valueStart..<index
            index += 1
            return .parameter(Parameter(name: name, value: value, quoted: true, escaped: escaped))
        }
    }

    /// Whether `bytes[range]` is `lowercase` ignoring ASCII case (`lowercase` must be lowercase).
    static func equalsIgnoringCase(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>,
        _ lowercase: StaticString
    ) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for offset in 0..<range.count {
            let byte = bytes[range.lowerBound + offset]
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == expected[offset] else { return false }
        }
        return true
    }

    /// Whether `bytes[range]` is exactly `text`.
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let expected = text.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != expected[offset] { return false }
        return true
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// RFC 9110 `qdtext`: HTAB, SP, `!`, `#`–`[`, `]`–`~`, obs-text.
    private static func isQuotedTextByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte != 0x7F)
    }

    /// What may follow `\` in a quoted-pair: HTAB, SP, VCHAR, obs-text.
    private static func isQuotedPairByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }

    private mutating func skipWhitespace() {
        while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
    }
}
