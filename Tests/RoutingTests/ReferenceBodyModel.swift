import Routing

/// The body scanner as it was before it went a word at a time (byte by byte, straightforward), kept
/// as the reference the property tests hold `RequestBodyModel.read` to.
enum ReferenceBodyModel {
    static func read(_ body: [UInt8]) -> RequestBodyModel {
        body.withUnsafeBufferPointer { body in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: (RequestBodyModel.maxDepth + 63) / 64) { kinds in
                kinds.initialize(repeating: 0)
                var scanner = ReferenceScanner(bytes: body, kinds: kinds)
                return scanner.scanDocument()
            }
        }
    }
}

private struct ReferenceScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let kinds: UnsafeMutableBufferPointer<UInt64>
    var index = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>, kinds: UnsafeMutableBufferPointer<UInt64>) {
        self.bytes = bytes
        self.kinds = kinds
    }

    mutating func scanDocument() -> RequestBodyModel {
        skipWhitespace()
        guard index < bytes.count else { return .invalidJSON }
        let topIsObject = bytes[index] == UInt8(ascii: "{")
        // The raw bytes (between the quotes) of the last top-level `model` string; nil when absent
        // or when the last `model` is not a string. Decoded once, at the end.
        var model: Range<Int>? = nil
        // Whether the value about to be scanned is a top-level `model` member.
        var valueIsModel = false

        value: while true {
            skipWhitespace()
            guard index < bytes.count else { return .invalidJSON }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if valueIsModel { model = nil }
                guard depth < RequestBodyModel.maxDepth else { return .invalidJSON }
                index += 1
                skipWhitespace()
                let isObject = byte == UInt8(ascii: "{")
                if index < bytes.count, bytes[index] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1
                } else {
                    push(isObject: isObject)
                    guard let isModel = startElement(inObject: isObject) else { return .invalidJSON }
                    valueIsModel = isModel
                    continue value
                }
            case UInt8(ascii: "\""):
                let start = index + 1
                guard skipString() else { return .invalidJSON }
                if valueIsModel { model = start..<(index - 1) }
            default:
                if valueIsModel { model = nil }
                guard scanScalar() else { return .invalidJSON }
            }

            // A value is complete: close containers until one continues with another element.
            while depth > 0 {
                skipWhitespace()
                guard index < bytes.count else { return .invalidJSON }
                let byte = bytes[index]
                index += 1
                let isObject = topIsObjectContainer
                if byte == UInt8(ascii: ",") {
                    guard let isModel = startElement(inObject: isObject) else { return .invalidJSON }
                    valueIsModel = isModel
                    continue value
                }
                guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return .invalidJSON }
                depth -= 1
            }
            break
        }

        skipWhitespace()
        guard index == bytes.count else { return .invalidJSON }
        guard topIsObject, let model else { return .missingModel }
        return .model(decodeString(model))
    }

    // MARK: Container stack

    private mutating func push(isObject: Bool) {
        let word = depth >> 6
        let bit = UInt64(1) << UInt64(depth & 63)
        if isObject { kinds[word] |= bit } else { kinds[word] &= ~bit }
        depth += 1
    }

    private var topIsObjectContainer: Bool {
        let slot = depth - 1
        return kinds[slot >> 6] & (UInt64(1) << UInt64(slot & 63)) != 0
    }

    /// A new element of the innermost container starts: in an object its member name comes first
    /// (whether the value is the top-level `model`, nil when malformed); an array element never is.
    private mutating func startElement(inObject: Bool) -> Bool? {
        inObject ? scanMemberName() : false
    }

    /// `"name" :` inside the object just pushed; whether it is the top-level `model` member, or nil
    /// when malformed.
    private mutating func scanMemberName() -> Bool? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        guard skipString() else { return nil }
        let name = start..<(index - 1)
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
        index += 1
        guard depth == 1 else { return false }
        // Compared in place; only a name with escapes that could still spell `model` is decoded.
        if name.count == 5 {
            return UnsafeBufferPointer(rebasing: bytes[name]).elementsEqual("model".utf8)
        }
        if name.count <= 5 * 6, bytes[name].contains(UInt8(ascii: "\\")) {
            return decodeString(name) == "model"
        }
        return false
    }

    // MARK: Strings

    /// Skips a string from its opening quote past its closing one; false when it is malformed (an
    /// unknown escape, an unescaped control character, invalid UTF-8, or no closing quote).
    private mutating func skipString() -> Bool {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return true
            } else if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { return false }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    // Any four hex digits: RFC 8259 8.2 lets a lone surrogate through syntactically.
                    guard index + 6 <= bytes.count, hexValue(at: index + 2) != nil else { return false }
                    index += 6
                default:
                    return false
                }
            } else if byte < 0x20 {
                return false
            } else if byte < 0x80 {
                index += 1
            } else {
                guard skipUTF8Sequence() else { return false }
            }
        }
        return false
    }

    /// One well-formed multi-byte UTF-8 sequence (no overlongs, no surrogates, nothing past U+10FFFF).
    private mutating func skipUTF8Sequence() -> Bool {
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch bytes[index] {
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF:
            length = 3
        case 0xED:
            length = 3
            upper = 0x9F
        case 0xF0:
            length = 4
            lower = 0x90
        case 0xF1...0xF3:
            length = 4
        case 0xF4:
            length = 4
            upper = 0x8F
        default:
            return false
        }
        guard index + length <= bytes.count else { return false }
        let second = bytes[index + 1]
        guard second >= lower, second <= upper else { return false }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            return false
        }
        index += length
        return true
    }

    /// Decodes the raw bytes between the quotes of a string `skipString` accepted.
    private func decodeString(_ raw: Range<Int>) -> String {
        let source = UnsafeBufferPointer(rebasing: bytes[raw])
        guard source.contains(UInt8(ascii: "\\")) else { return String(decoding: source, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var position = raw.lowerBound
        while position < raw.upperBound {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "\\") else {
                decoded.append(byte)
                position += 1
                continue
            }
            let escape = bytes[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var code = hexValue(at: position)!
                position += 4
                if (0xD800...0xDBFF).contains(code), position + 6 <= raw.upperBound,
                    bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u"),
                    let low = hexValue(at: position + 2), (0xDC00...0xDFFF).contains(low)
                {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    position += 6
                }
                // A lone surrogate is not a scalar: it reads as U+FFFD.
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                UTF8.encode(scalar) { decoded.append($0) }
            default:
                decoded.append(escape)
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private func hexValue(at position: Int) -> UInt32? {
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

    // MARK: Numbers and literals

    private mutating func scanScalar() -> Bool {
        switch bytes[index] {
        case UInt8(ascii: "t"): scanLiteral("true")
        case UInt8(ascii: "f"): scanLiteral("false")
        case UInt8(ascii: "n"): scanLiteral("null")
        default: scanNumber()
        }
    }

    private mutating func scanLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        guard UnsafeBufferPointer(rebasing: bytes[index..<(index + count)]).elementsEqual(expected) else {
            return false
        }
        index += count
        return true
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func scanNumber() -> Bool {
        if peek(UInt8(ascii: "-")) { index += 1 }
        if peek(UInt8(ascii: "0")) {
            index += 1
        } else {
            guard skipDigits() else { return false }
        }
        if peek(UInt8(ascii: ".")) {
            index += 1
            guard skipDigits() else { return false }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            index += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
            guard skipDigits() else { return false }
        }
        return true
    }

    /// One or more digits; false when there is none.
    private mutating func skipDigits() -> Bool {
        let start = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        return index > start
    }

    private func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
