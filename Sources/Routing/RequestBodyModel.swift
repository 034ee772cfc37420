/// The `model` a request body names (SPEC 5.1 step 2), or why there is none (SPEC 5.5).
///
/// The body must be one valid JSON text (RFC 8259); only the top-level object's `model` member is
/// decoded, everything else is validated and skipped in one pass without building values.
public enum RequestBodyModel: Equatable, Sendable {
    case model(String)
    /// Not one valid JSON text (an empty body included).
    case invalidJSON
    /// Valid JSON, but not an object with a string `model`.
    case missingModel

    /// Deeper nesting is refused rather than walked (no JSON an inference API takes comes close).
    public static let maxDepth = 512

    public static func read(_ body: [UInt8]) -> RequestBodyModel {
        body.withUnsafeBufferPointer { bytes in
            var scanner = JSONScanner(bytes: bytes)
            return scanner.scanDocument()
        }
    }
}

/// A single-pass RFC 8259 validator that keeps the top-level `model` string.
private struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// The last top-level `model` member's value: a string, or `nil` for another type.
    var model: String??

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func scanDocument() -> RequestBodyModel {
        skipWhitespace()
        guard index < bytes.count else { return .invalidJSON }
        let isObject = bytes[index] == UInt8(ascii: "{")
        guard scanValue(topLevel: true) else { return .invalidJSON }
        skipWhitespace()
        guard index == bytes.count else { return .invalidJSON }
        guard isObject, case .some(.some(let name)) = model else { return .missingModel }
        return .model(name)
    }

    // MARK: Values

    /// Containers are walked with an explicit stack of "inside an object?" flags, so depth costs no
    /// recursion. `topLevel` marks the object whose `model` member counts.
    private mutating func scanValue(topLevel: Bool) -> Bool {
        var stack: [Bool] = []  // true: inside an object
        stack.reserveCapacity(16)
        // Set before each value: is this the top-level object's `model` member?
        var valueIsModel = false
        while true {
            // A value.
            skipWhitespace()
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[index] == UInt8(ascii: "{")
                if valueIsModel { model = .some(nil) }
                guard stack.count < RequestBodyModel.maxDepth else { return false }
                index += 1
                skipWhitespace()
                let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if index < bytes.count && bytes[index] == closer {
                    index += 1
                    break  // empty container: a complete value
                }
                stack.append(isObject)
                if isObject {
                    guard let isModel = scanMemberName(atTopLevel: topLevel && stack.count == 1) else { return false }
                    valueIsModel = isModel
                } else {
                    valueIsModel = false
                }
                continue
            case UInt8(ascii: "\""):
                if valueIsModel {
                    guard let text = scanString(decode: true) else { return false }
                    model = .some(text)
                } else {
                    guard scanString(decode: false) != nil else { return false }
                }
            default:
                if valueIsModel { model = .some(nil) }
                guard scanScalar() else { return false }
            }
            // After a complete value: close containers or move to the next element.
            while true {
                guard let isObject = stack.last else { return true }
                skipWhitespace()
                guard index < bytes.count else { return false }
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: ",") {
                    if isObject {
                        guard let isModel = scanMemberName(atTopLevel: topLevel && stack.count == 1) else {
                            return false
                        }
                        valueIsModel = isModel
                    } else {
                        valueIsModel = false
                    }
                    break
                }
                guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
                stack.removeLast()
            }
        }
    }

    /// `"name" :` — returns whether the name is `model` at the top level, nil when malformed.
    private mutating func scanMemberName(atTopLevel: Bool) -> Bool? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        guard scanString(decode: false) != nil else { return nil }
        // Compared raw: an escaped spelling of `model` is rare enough to decode only when seen.
        var isModel = false
        if atTopLevel {
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
            if raw.elementsEqual("model".utf8) {
                isModel = true
            } else if raw.contains(UInt8(ascii: "\\")) {
                var copy = JSONScanner(bytes: bytes)
                copy.index = start - 1
                isModel = copy.scanString(decode: true) == "model"
            }
        }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
        index += 1
        return isModel
    }

    // MARK: Strings

    /// Scans a string starting at its opening quote; returns its decoded text when `decode`, else
    /// an empty string; nil when malformed (bad escape, control character, invalid UTF-8).
    private mutating func scanString(decode: Bool) -> String? {
        index += 1
        var decoded: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return decode ? String(decoding: decoded, as: UTF8.self) : ""
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = scanUnicodeEscape() else { return nil }
                    if decode { decoded.append(contentsOf: String(Character(scalar)).utf8) }
                default: return nil
                }
            case 0x00..<0x20:
                return nil
            case 0x00..<0x80:
                if decode { decoded.append(byte) }
                index += 1
            default:
                let start = index
                guard skipUTF8Sequence() else { return nil }
                if decode { decoded.append(contentsOf: bytes[start..<index]) }
            }
        }
        return nil
    }

    /// After `\u`: four hex digits, a surrogate pair when valid; a lone surrogate reads as U+FFFD
    /// (RFC 8259 8.2 allows it syntactically).
    private mutating func scanUnicodeEscape() -> Unicode.Scalar? {
        guard let first = scanHex4() else { return nil }
        if (0xD800...0xDBFF).contains(first), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
        {
            let resume = index
            index += 2
            guard let second = scanHex4() else { return nil }
            if (0xDC00...0xDFFF).contains(second) {
                return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            }
            index = resume
        }
        return Unicode.Scalar(first) ?? Unicode.Scalar(0xFFFD)
    }

    private mutating func scanHex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// One well-formed multi-byte UTF-8 sequence (no overlongs, no surrogates, ≤ U+10FFFF).
    private mutating func skipUTF8Sequence() -> Bool {
        let lead = bytes[index]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            upper = 0x9F
        case 0xF0:
            length = 4
            lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            upper = 0x8F
        default: return false
        }
        guard index + length <= bytes.count else { return false }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let (low, high) = offset == 1 ? (lower, upper) : (0x80, 0xBF)
            guard byte >= low && byte <= high else { return false }
        }
        index += length
        return true
    }

    // MARK: Numbers and literals

    private mutating func scanScalar() -> Bool {
        switch bytes[index] {
        case UInt8(ascii: "t"): return scanLiteral("true")
        case UInt8(ascii: "f"): return scanLiteral("false")
        case UInt8(ascii: "n"): return scanLiteral("null")
        default: return scanNumber()
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
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard scanDigits() else { return false }
        }
        if peek(UInt8(ascii: ".")) {
            index += 1
            guard scanDigits() else { return false }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            index += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
            guard scanDigits() else { return false }
        }
        return true
    }

    private mutating func scanDigits() -> Bool {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
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
