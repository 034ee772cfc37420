/// `usage.forceStreamUsage` (SPEC 7): makes a streamed chat or text completion request ask for the
/// usage chunk, `"stream_options":{"include_usage":true}`, by inserting bytes into the client's body,
/// never re-serialising it (member order, whitespace, numbers and escapes stay as sent).
///
/// The caller applies it to chat and text completion requests only. The body must be one valid JSON
/// text (RFC 8259: structure, escapes and literals checked, UTF-8 not) whose value is an object; its
/// last top-level `stream` member must be `true`. Member names compare after unescaping, and where a
/// name repeats the last one counts, as common JSON parsers (Python's, Go's, vLLM's) read it.
///
/// | the last `stream_options` | result |
/// |---|---|
/// | absent | `,"stream_options":{"include_usage":true}` after the last member |
/// | `null` | replaced by `{"include_usage":true}` |
/// | an object whose last `include_usage` is `true` | no change |
/// | an object without `include_usage` | `"include_usage":true` first in it |
/// | an object whose last `include_usage` is anything else (`false` included) | that value replaced by `true` |
/// | anything else (a string, an array…) | no change: the backend refuses it as it would without the proxy |
///
/// An explicit `include_usage: false` is overridden: the operator turned the option on so that every
/// stream reports its tokens (SPEC 7 "requests that lack it": the request lacks `include_usage: true`),
/// and a client could otherwise opt out of being counted.
public enum StreamUsageOption {
    /// Containers nested deeper than this make the body one that is left alone.
    public static let maxDepth = 512

    /// The rewritten body, or nil when none is needed (not streamed, usage already asked for) or
    /// possible (not a JSON object).
    public static func rewrite(_ body: [UInt8]) -> [UInt8]? {
        body.withUnsafeBufferPointer { rewrite($0) }
    }

    public static func rewrite(_ body: UnsafeRawBufferPointer) -> [UInt8]? {
        body.withMemoryRebound(to: UInt8.self) { rewrite($0) }
    }

    static func rewrite(_ body: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let found: RequestScan.Findings? = withUnsafeTemporaryAllocation(
            of: UInt64.self,
            capacity: (maxDepth + 63) / 64
        ) { kinds in
            kinds.initialize(repeating: 0)
            var scan = RequestScan(bytes: body, kinds: kinds)
            return scan.scanDocument()
        }
        guard let found, found.streamIsTrue else { return nil }
        guard let options = found.options else {
            return splice(body, found.lastMemberEnd..<found.lastMemberEnd, #","stream_options":{"include_usage":true}"#)
        }
        switch options.kind {
        case .null:
            return splice(body, options.value, #"{"include_usage":true}"#)
        case .other:
            return nil
        case .object(let openBrace, let isEmpty, let includeUsage):
            guard let includeUsage else {
                let member = isEmpty ? #""include_usage":true"# : #""include_usage":true,"#
                return splice(body, (openBrace + 1)..<(openBrace + 1), member)
            }
            if body[includeUsage].elementsEqual("true".utf8) { return nil }
            return splice(body, includeUsage, "true")
        }
    }

    private static func splice(_ body: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: String) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(body.count - range.count + text.utf8.count)
        result.append(contentsOf: body[..<range.lowerBound])
        result.append(contentsOf: text.utf8)
        result.append(contentsOf: body[range.upperBound...])
        return result
    }
}

/// One strict pass over a request body for what `StreamUsageOption` needs: the top-level object's
/// last `stream` and `stream_options` members, and inside the latter the last `include_usage`.
private struct RequestScan {
    struct Findings {
        var streamIsTrue = false
        /// Just after the last top-level member's value.
        var lastMemberEnd = 0
        var options: Options?
    }

    struct Options {
        enum Kind {
            case null
            case other
            /// The position of its `{`, whether it has no member, and the last `include_usage`'s value.
            case object(openBrace: Int, isEmpty: Bool, includeUsage: Range<Int>?)
        }
        var value: Range<Int>
        var kind: Kind
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let kinds: UnsafeMutableBufferPointer<UInt64>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, kinds: UnsafeMutableBufferPointer<UInt64>) {
        self.bytes = bytes
        self.kinds = kinds
    }

    mutating func scanDocument() -> Findings? {
        var found = Findings()
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        if !take(UInt8(ascii: "}")) {
            repeat {
                guard let name = memberName() else { return nil }
                let start = index
                if nameEquals(name, "stream") {
                    guard skipValue(depth: 1) else { return nil }
                    found.streamIsTrue = bytes[start..<index].elementsEqual("true".utf8)
                } else if nameEquals(name, "stream_options") {
                    guard let options = scanOptions() else { return nil }
                    found.options = options
                } else {
                    guard skipValue(depth: 1) else { return nil }
                }
                found.lastMemberEnd = index
                skipWhitespace()
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
        }
        skipWhitespace()
        return index == bytes.count ? found : nil
    }

    /// The value of a top-level `stream_options` member, the index at its first byte.
    private mutating func scanOptions() -> Options? {
        let start = index
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            guard skipValue(depth: 1) else { return nil }
            let isNull = bytes[start..<index].elementsEqual("null".utf8)
            return Options(value: start..<index, kind: isNull ? .null : .other)
        }
        index += 1
        skipWhitespace()
        var includeUsage: Range<Int>? = nil
        var isEmpty = true
        if !take(UInt8(ascii: "}")) {
            isEmpty = false
            repeat {
                guard let name = memberName() else { return nil }
                let valueStart = index
                guard skipValue(depth: 2) else { return nil }
                if nameEquals(name, "include_usage") { includeUsage = valueStart..<index }
                skipWhitespace()
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
        }
        return Options(
            value: start..<index,
            kind: .object(openBrace: start, isEmpty: isEmpty, includeUsage: includeUsage)
        )
    }

    /// `"name" :` and the whitespace after it; the raw bytes between the quotes, nil when malformed.
    private mutating func memberName() -> Range<Int>? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        guard skipString() else { return nil }
        let name = start..<(index - 1)
        skipWhitespace()
        guard take(UInt8(ascii: ":")) else { return nil }
        skipWhitespace()
        return name
    }

    /// Whether the raw string bytes `raw` unescape to `expected` (ASCII).
    private func nameEquals(_ raw: Range<Int>, _ expected: StaticString) -> Bool {
        let text = expected.utf8Start
        var matched = 0
        var position = raw.lowerBound
        while position < raw.upperBound {
            var byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\\") {
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "u"):
                    guard let code = hexValue(at: position), code < 0x80 else { return false }
                    byte = UInt8(code)
                    position += 4
                case UInt8(ascii: "b"): byte = 0x08
                case UInt8(ascii: "f"): byte = 0x0C
                case UInt8(ascii: "n"): byte = 0x0A
                case UInt8(ascii: "r"): byte = 0x0D
                case UInt8(ascii: "t"): byte = 0x09
                default: byte = escape
                }
            }
            guard matched < expected.utf8CodeUnitCount, byte == text[matched] else { return false }
            matched += 1
        }
        return matched == expected.utf8CodeUnitCount
    }

    // MARK: Values

    /// Skips one value starting at `index`, inside `depth` open containers; false when malformed.
    private mutating func skipValue(depth baseDepth: Int) -> Bool {
        var depth = 0
        value: while true {
            skipWhitespace()
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard baseDepth + depth < StreamUsageOption.maxDepth else { return false }
                index += 1
                skipWhitespace()
                let isObject = byte == UInt8(ascii: "{")
                if !take(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    setKind(depth, isObject: isObject)
                    depth += 1
                    if isObject { guard memberName() != nil else { return false } }
                    continue value
                }
            case UInt8(ascii: "\""):
                guard skipString() else { return false }
            case UInt8(ascii: "t"):
                guard takeLiteral("true") else { return false }
            case UInt8(ascii: "f"):
                guard takeLiteral("false") else { return false }
            case UInt8(ascii: "n"):
                guard takeLiteral("null") else { return false }
            default:
                guard skipNumber() else { return false }
            }
            // A value is complete: close containers until one continues with another element.
            while depth > 0 {
                skipWhitespace()
                guard index < bytes.count else { return false }
                let next = bytes[index]
                index += 1
                let isObject = kind(depth - 1)
                if next == UInt8(ascii: ",") {
                    if isObject { guard memberName() != nil else { return false } }
                    continue value
                }
                guard next == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
                depth -= 1
            }
            return true
        }
    }

    private func kind(_ slot: Int) -> Bool {
        kinds[slot >> 6] & (UInt64(1) << UInt64(slot & 63)) != 0
    }

    private func setKind(_ slot: Int, isObject: Bool) {
        let bit = UInt64(1) << UInt64(slot & 63)
        if isObject { kinds[slot >> 6] |= bit } else { kinds[slot >> 6] &= ~bit }
    }

    /// From an opening quote past the closing one; false on a bad escape, a raw control character or
    /// no closing quote.
    private mutating func skipString() -> Bool {
        var position = index + 1
        defer { index = position }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return true
            }
            if byte < 0x20 { return false }
            if byte == UInt8(ascii: "\\") {
                guard position + 1 < bytes.count else { return false }
                switch bytes[position + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 2
                case UInt8(ascii: "u"):
                    guard hexValue(at: position + 2) != nil else { return false }
                    position += 6
                default:
                    return false
                }
            } else {
                position += 1
            }
        }
        return false
    }

    /// The four hex digits from `position` on, or nil (also when fewer than four bytes remain).
    private func hexValue(at position: Int) -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[position..<(position + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func takeLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func skipNumber() -> Bool {
        _ = take(UInt8(ascii: "-"))
        if !take(UInt8(ascii: "0")) {
            guard skipDigits() else { return false }
        }
        if take(UInt8(ascii: ".")) {
            guard skipDigits() else { return false }
        }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard skipDigits() else { return false }
        }
        return true
    }

    private mutating func skipDigits() -> Bool {
        let start = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        return index > start
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
