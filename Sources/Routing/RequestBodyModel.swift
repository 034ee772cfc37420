/// What a request body says about its model (SPEC 5.1 step 2), or why it says nothing (SPEC 5.5).
///
/// `read(_:contentType:)` reads a `multipart/form-data` body with `MultipartFormReader` and any
/// other as JSON. A JSON body must be exactly one valid JSON text (RFC 8259, strict; whitespace
/// around it allowed). It names a model when its top-level value is an object whose last member
/// called `model` holds a string; members of nested objects never count. The body is validated in
/// one pass without building any value, and only that string is decoded.
public enum RequestBodyModel: Equatable, Sendable {
    /// The decoded `model` string.
    case model(String)
    /// Not one valid JSON text (an empty body included): `400 invalid_json`.
    case invalidJSON
    /// Valid JSON, but not an object with a string `model`; or a form without a `model` field:
    /// `400 missing_model`.
    case missingModel
    /// A `multipart/form-data` body (or its Content-Type) that breaks RFC 2046/7578: `400 bad_request`.
    case malformed(MultipartFault)

    /// Containers nested deeper than this make the body `invalidJSON`.
    public static let maxDepth = 512

    public static func read(_ body: [UInt8]) -> RequestBodyModel {
        body.withUnsafeBufferPointer { read($0) }
    }

    public static func read(_ body: UnsafeRawBufferPointer) -> RequestBodyModel {
        body.withMemoryRebound(to: UInt8.self) { read($0) }
    }

    static func read(_ body: UnsafeBufferPointer<UInt8>) -> RequestBodyModel {
        // One bit per open container (1: object), on the stack rather than the heap.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: (maxDepth + 63) / 64) { kinds in
            kinds.initialize(repeating: 0)
            var scanner = BodyScanner(bytes: body, kinds: kinds)
            return scanner.scanDocument()
        }
    }
}

private struct BodyScanner {
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
            return bytes(at: name.lowerBound, are: "model")
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
        var position = index + 1
        defer { index = position }
        while true {
            position = Self.firstStringStop(in: bytes, from: position)
            guard position < bytes.count else { return false }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return true
            } else if byte == UInt8(ascii: "\\") {
                guard position + 1 < bytes.count else { return false }
                switch bytes[position + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 2
                case UInt8(ascii: "u"):
                    // Any four hex digits: RFC 8259 8.2 lets a lone surrogate through syntactically.
                    guard position + 6 <= bytes.count, hexValue(at: position + 2) != nil else { return false }
                    position += 6
                default:
                    return false
                }
            } else if byte < 0x20 {
                return false
            } else {
                // At least 0x80: a run of multi-byte sequences (text in most scripts) stays here.
                repeat {
                    guard let next = utf8SequenceEnd(at: position) else { return false }
                    position = next
                } while position < bytes.count && bytes[position] >= 0x80
            }
        }
    }

    /// The first position from `start` on whose byte a string cannot take as it is (`"`, `\`, a
    /// control character or the start of a multi-byte sequence), or the end: sixteen bytes at a time
    /// (as two words), then eight, then one. A word is loaded only where all its bytes are the body's.
    @inline(__always)
    private static func firstStringStop(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return start }
        let words = UnsafeRawPointer(base)
        var position = start
        while position < count &- 15 {
            let first = stringStops(words.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            let second = stringStops(words.loadUnaligned(fromByteOffset: position &+ 8, as: UInt64.self))
            if first | second != 0 {
                return position &+ ((first != 0 ? first.trailingZeroBitCount : 64 &+ second.trailingZeroBitCount) &>> 3)
            }
            position &+= 16
        }
        if position < count &- 7 {
            let stops = stringStops(words.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            if stops != 0 { return position &+ (stops.trailingZeroBitCount &>> 3) }
            position &+= 8
        }
        while position < count {
            let byte = bytes[position]
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { break }
            position &+= 1
        }
        return position
    }

    /// Eight bytes as loaded (first byte in memory first) to a mask with the high bit of each byte
    /// set that is `"`, `\`, below 0x20 or from 0x80 on; bytes after the first such byte may be
    /// marked too (a subtraction's borrow), so only the lowest set bit counts.
    private static func stringStops(_ loaded: UInt64) -> UInt64 {
        let word = UInt64(littleEndian: loaded)
        let ones: UInt64 = 0x0101_0101_0101_0101
        // Where the byte was the quote (the backslash) the XOR leaves 0, and subtracting 1 sets the
        // high bit; subtracting 0x20 sets it in a byte below 0x20. A byte from 0x80 on ends up with it
        // too: from 0xA0 on by that subtraction, below 0xA0 by the quote's XOR and subtraction.
        let quotes = (word ^ 0x2222_2222_2222_2222) &- ones
        let backslashes = (word ^ 0x5C5C_5C5C_5C5C_5C5C) &- ones
        let controls = word &- 0x2020_2020_2020_2020
        return (quotes | backslashes | controls) & 0x8080_8080_8080_8080
    }

    /// The end of the well-formed multi-byte UTF-8 sequence at `position` (Unicode Table 3-7: no
    /// overlongs, no surrogates, nothing past U+10FFFF), or nil. (Wrapping arithmetic: positions
    /// stay within the body.)
    @inline(__always)
    private func utf8SequenceEnd(at position: Int) -> Int? {
        let lead = bytes[position]
        let available = bytes.count &- position
        if lead < 0xE0 {
            guard lead >= 0xC2, available >= 2, isContinuation(position &+ 1) else { return nil }
            return position &+ 2
        }
        guard available >= 3 else { return nil }
        // The second byte's range depends on the lead; the others are any continuation byte.
        let second = bytes[position &+ 1]
        if lead < 0xF0 {
            let lower: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
            let upper: UInt8 = lead == 0xED ? 0x9F : 0xBF
            guard second >= lower, second <= upper, isContinuation(position &+ 2) else { return nil }
            return position &+ 3
        }
        let lower: UInt8 = lead == 0xF0 ? 0x90 : 0x80
        let upper: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
        guard lead <= 0xF4, available >= 4, second >= lower, second <= upper, isContinuation(position &+ 2),
            isContinuation(position &+ 3)
        else { return nil }
        return position &+ 4
    }

    private func isContinuation(_ position: Int) -> Bool { bytes[position] & 0xC0 == 0x80 }

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
        guard index + count <= bytes.count, bytes(at: index, are: literal) else { return false }
        index += count
        return true
    }

    /// Whether the bytes from `position` on are `literal`'s; the body must hold that many.
    @inline(__always)
    private func bytes(at position: Int, are literal: StaticString) -> Bool {
        let expected = literal.utf8Start
        for offset in 0..<literal.utf8CodeUnitCount where bytes[position + offset] != expected[offset] {
            return false
        }
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

    @inline(__always)
    private mutating func skipWhitespace() {
        // Most tokens have none before them: only a byte that could be whitespace leaves the caller.
        guard index < bytes.count, bytes[index] <= 0x20 else { return }
        skipWhitespaceRun()
    }

    /// Whitespace from `index` on; kept out of line, since most tokens have none before them.
    @inline(never)
    private mutating func skipWhitespaceRun() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
                // A run of spaces (indentation) goes eight at a time.
                if index < bytes.count, bytes[index] == 0x20 { index = Self.firstNonSpace(in: bytes, from: index) }
            default: return
            }
        }
    }

    /// The first position from `start` on whose byte is not a space, or the end: eight at a time.
    private static func firstNonSpace(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return start }
        let words = UnsafeRawPointer(base)
        let spaces: UInt64 = 0x2020_2020_2020_2020
        let lowSevenBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var position = start
        while position < count &- 7 {
            // The XOR leaves 0 exactly in the spaces; adding 0x7F to the low seven bits of a byte
            // reaches its high bit unless they are all 0, and never carries into the next byte.
            let others = UInt64(littleEndian: words.loadUnaligned(fromByteOffset: position, as: UInt64.self)) ^ spaces
            let marked = (((others & lowSevenBits) &+ lowSevenBits) | others) & ~lowSevenBits
            if marked != 0 { return position &+ (marked.trailingZeroBitCount &>> 3) }
            position &+= 8
        }
        while position < count, bytes[position] == 0x20 { position &+= 1 }
        return position
    }
}
