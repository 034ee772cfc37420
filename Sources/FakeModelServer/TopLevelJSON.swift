/// The top-level members of a JSON object, read without building nested values: a completion body's `messages`
/// are skipped, not parsed. At benchmark rates JSONSerialization cost ~5 µs a request; this costs a fraction.
///
/// Not a validator: it only needs to read well-formed bodies right and never crash on malformed ones.
struct TopLevelJSON {
    /// A member's value; nested objects and arrays are skipped (arrays keep their element count).
    enum Value: Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
        case array(count: Int)
        case object
    }

    private(set) var members: [String: Value] = [:]

    /// nil when `bytes` does not start with a readable JSON object.
    init?(_ bytes: [UInt8]) {
        var reader = Reader(bytes: bytes)
        guard let members = reader.readObject() else { return nil }
        self.members = members
    }

    subscript(key: String) -> Value? { members[key] }
}

/// A cursor over the bytes; every read returns nil at malformed input instead of trapping.
private struct Reader {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func readObject() -> [String: TopLevelJSON.Value]? {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        var members: [String: TopLevelJSON.Value] = [:]
        skipSpace()
        if take(UInt8(ascii: "}")) { return members }
        while true {
            skipSpace()
            // Foundation tolerates a trailing comma; so do we.
            if take(UInt8(ascii: "}")) { return members }
            guard let key = readString() else { return nil }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            guard let value = readValue() else { return nil }
            members[key] = value
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "}")) ? members : nil
        }
    }

    private mutating func readValue() -> TopLevelJSON.Value? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return readString().map { .string($0) }
        case UInt8(ascii: "{"): return skipComposite() ? .object : nil
        case UInt8(ascii: "["): return readArrayCount().map { .array(count: $0) }
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: return readNumber().map { .number($0) }
        }
    }

    private mutating func readArrayCount() -> Int? {
        index += 1  // [
        skipSpace()
        if take(UInt8(ascii: "]")) { return 0 }
        var count = 0
        while true {
            skipSpace()
            guard skipValue() else { return nil }
            count += 1
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "]")) ? count : nil
        }
    }

    private mutating func skipValue() -> Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""): return skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["): return skipComposite()
        default:
            // A literal or a number: everything up to the next delimiter.
            let start = index
            while index < bytes.count, !Self.isDelimiter(bytes[index]) { index += 1 }
            return index > start
        }
    }

    /// Skips a nested object or array by counting brackets outside strings (iterative: no recursion to overflow).
    private mutating func skipComposite() -> Bool {
        var depth = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                guard skipString() else { return false }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    index += 1
                    return true
                }
            default: break
            }
            index += 1
        }
        return false
    }

    private mutating func skipString() -> Bool {
        index += 1  // opening quote
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return true
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return false
    }

    private mutating func readString() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        // Fast path: no escapes.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        var text = String(decoding: bytes[start..<index], as: UTF8.self)
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return text
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): text += "\n"
                case UInt8(ascii: "t"): text += "\t"
                case UInt8(ascii: "r"): text += "\r"
                case UInt8(ascii: "b"): text += "\u{8}"
                case UInt8(ascii: "f"): text += "\u{c}"
                case UInt8(ascii: "u"):
                    guard var scalar = readHex4() else { return nil }
                    // A UTF-16 surrogate pair spells one scalar in two escapes.
                    if (0xD800..<0xDC00).contains(scalar), bytes[index...].starts(with: [0x5C, 0x75]) {
                        index += 2
                        guard let low = readHex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    text.unicodeScalars.append(Unicode.Scalar(scalar) ?? "\u{FFFD}")
                default: text.unicodeScalars.append(Unicode.Scalar(escape))  // \" \\ \/
                }
            default:
                // Copy a run of plain bytes at once.
                let runStart = index - 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                    index += 1
                }
                text += String(decoding: bytes[runStart..<index], as: UTF8.self)
            }
        }
        return nil
    }

    private mutating func readHex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = Self.hexValue(byte) else { return nil }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private mutating func readNumber() -> Double? {
        let start = index
        while index < bytes.count, !Self.isDelimiter(bytes[index]) { index += 1 }
        return Double(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private mutating func literal(_ word: String) -> Bool {
        guard bytes[index...].starts(with: word.utf8) else { return false }
        index += word.utf8.count
        return true
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
