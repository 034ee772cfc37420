/// An independent, deliberately plain reading of the RFC 9110/9112 grammar the codec documents, used as an
/// oracle: whatever the codec accepts must pass these checks too (the other direction, refusing more than
/// the grammar demands, is the codec's choice and is not checked). Written over `[UInt8]` with indices,
/// sharing no code with the codec.
public enum Grammar {
    public struct Violation: Error, CustomStringConvertible {
        public let description: String

        public init(_ description: String) { self.description = description }
    }

    public struct Field: Equatable {
        public let name: Range<Int>
        public let value: Range<Int>
    }

    public struct Head {
        /// The request line or status line, without CRLF.
        public let startLine: Range<Int>
        public let fields: [Field]
    }

    /// tchar (RFC 9110 5.6.2).
    public static func isTchar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    public static func isOWS(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    public static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    public static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    /// A control byte no head or chunk line may hold: everything below 0x20 but HTAB (CR and LF only as a
    /// CRLF pair, checked by `lines`), and DEL.
    public static func isForbiddenControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09 && byte != 0x0D && byte != 0x0A) || byte == 0x7F
    }

    /// `bytes[range]` equals `lowercased` ignoring ASCII case.
    public static func equalsIgnoringCase(_ bytes: [UInt8], _ range: Range<Int>, _ lowercased: String) -> Bool {
        let expected = Array(lowercased.utf8)
        guard range.count == expected.count else { return false }
        for (i, byte) in zip(range, expected) {
            let folded = bytes[i] >= 0x41 && bytes[i] <= 0x5A ? bytes[i] + 0x20 : bytes[i]
            if folded != byte { return false }
        }
        return true
    }

    /// `range` without OWS at either end.
    public static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && isOWS(bytes[lower]) { lower += 1 }
        while upper > lower && isOWS(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// The comma-separated elements of `bytes[range]`, OWS-trimmed, empty ones dropped (RFC 9110 5.6.1).
    public static func listElements(_ bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var elements: [Range<Int>] = []
        var start = range.lowerBound
        for i in range where bytes[i] == UInt8(ascii: ",") {
            elements.append(trimmed(bytes, start..<i))
            start = i + 1
        }
        elements.append(trimmed(bytes, start..<range.upperBound))
        return elements.filter { !$0.isEmpty }
    }

    /// The lines of `bytes[range]`, which must be CRLF-terminated lines with no other control byte than HTAB.
    public static func lines(_ bytes: [UInt8], _ range: Range<Int>) throws(Violation) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            let byte = bytes[i]
            if byte == 0x0D {
                guard i + 1 < range.upperBound, bytes[i + 1] == 0x0A else {
                    throw Violation("CR not followed by LF at \(i)")
                }
                result.append(start..<i)
                i += 2
                start = i
                continue
            }
            if byte == 0x0A { throw Violation("LF without CR at \(i)") }
            if isForbiddenControl(byte) { throw Violation("control byte \(byte) at \(i)") }
            i += 1
        }
        if start != range.upperBound { throw Violation("bytes after the last CRLF") }
        return result
    }

    /// A field line, RFC 9112 5: `field-name ":" OWS field-value OWS`, no obs-fold, no space before ':'.
    public static func fieldLine(_ bytes: [UInt8], _ line: Range<Int>) throws(Violation) -> Field {
        guard let colon = line.first(where: { bytes[$0] == UInt8(ascii: ":") }) else {
            throw Violation("field line without ':'")
        }
        let name = line.lowerBound..<colon
        if name.isEmpty { throw Violation("empty field name") }
        if let bad = name.first(where: { !isTchar(bytes[$0]) }) {
            throw Violation("field name byte \(bytes[bad]) is not a tchar")
        }
        return Field(name: name, value: trimmed(bytes, (colon + 1)..<line.upperBound))
    }

    /// A whole message head as a codec hands it back: start line, field lines, empty line, nothing after.
    public static func head(_ bytes: [UInt8]) throws(Violation) -> Head {
        let all = try lines(bytes, 0..<bytes.count)
        guard all.count >= 2, let last = all.last, last.isEmpty else {
            throw Violation("head does not end in CRLF CRLF")
        }
        if all[0].isEmpty { throw Violation("empty start line") }
        var fields: [Field] = []
        for line in all[1..<(all.count - 1)] {
            if line.isEmpty { throw Violation("empty line inside the head") }
            fields.append(try fieldLine(bytes, line))
        }
        return Head(startLine: all[0], fields: fields)
    }

    /// `HTTP/1.0` or `HTTP/1.1`, case-sensitive (RFC 9112 2.3); the minor digit, or nil.
    public static func httpVersionMinor(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard range.count == 8, Array(bytes[range.lowerBound..<(range.lowerBound + 7)]) == Array("HTTP/1.".utf8)
        else { return nil }
        switch bytes[range.lowerBound + 7] {
        case UInt8(ascii: "0"): return 0
        case UInt8(ascii: "1"): return 1
        default: return nil
        }
    }

    /// Content-Length = 1*DIGIT (RFC 9110 8.6), at most 18 digits as the codec documents; nil otherwise.
    public static func contentLength(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18, range.allSatisfy({ isDigit(bytes[$0]) }) else { return nil }
        return range.reduce(0) { $0 * 10 + Int(bytes[$1] - 0x30) }
    }

    /// Decodes `bytes[range]` as exactly one complete chunked body (RFC 9112 7.1) under the limits the
    /// codec documents (chunk-size at most 15 HEXDIG, chunk-size line at most 4096 bytes with its CRLF,
    /// trailer section at most 8192 bytes with the final CRLF), and returns the payload.
    public static func chunkedBody(_ bytes: [UInt8], _ range: Range<Int>) throws(Violation) -> [UInt8] {
        var payload: [UInt8] = []
        var i = range.lowerBound
        let end = range.upperBound

        func line() throws(Violation) -> Range<Int> {
            var j = i
            while j < end && bytes[j] != 0x0D && bytes[j] != 0x0A { j += 1 }
            guard j + 1 < end, bytes[j] == 0x0D, bytes[j + 1] == 0x0A else {
                throw Violation("unterminated line at \(i)")
            }
            let found = i..<j
            if let bad = found.first(where: { isForbiddenControl(bytes[$0]) }) {
                throw Violation("control byte in chunk framing at \(bad)")
            }
            i = j + 2
            return found
        }

        while true {
            let sizeLine = try line()
            if sizeLine.count + 2 > 4096 { throw Violation("chunk-size line longer than 4096 bytes") }
            let size = try chunkSize(bytes, sizeLine)
            if size == 0 { break }
            guard end - i >= size + 2 else { throw Violation("chunk data shorter than its size") }
            payload += bytes[i..<(i + size)]
            i += size
            guard bytes[i] == 0x0D, bytes[i + 1] == 0x0A else { throw Violation("chunk data not followed by CRLF") }
            i += 2
        }
        let trailerStart = i
        while true {
            let field = try line()
            if field.isEmpty { break }
            if isOWS(bytes[field.lowerBound]) { throw Violation("obs-fold in the trailer section") }
            _ = try fieldLine(bytes, field)
        }
        if i - trailerStart > 8192 { throw Violation("trailer section longer than 8192 bytes") }
        if i != end { throw Violation("\(end - i) bytes after the last chunk's trailer section") }
        return payload
    }

    /// chunk-size [ chunk-ext ], chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ),
    /// chunk-ext-val = token / quoted-string.
    static func chunkSize(_ bytes: [UInt8], _ line: Range<Int>) throws(Violation) -> Int {
        var i = line.lowerBound
        let end = line.upperBound
        var size = 0
        while i < end, let digit = hexValue(bytes[i]) {
            size = size * 16 + digit
            i += 1
            if i - line.lowerBound > 15 { throw Violation("chunk-size of more than 15 digits") }
        }
        if i == line.lowerBound { throw Violation("chunk-size line without a chunk-size") }
        func skipBWS() { while i < end && isOWS(bytes[i]) { i += 1 } }
        func token() -> Bool {
            let start = i
            while i < end && isTchar(bytes[i]) { i += 1 }
            return i > start
        }
        while i < end {
            skipBWS()
            guard i < end, bytes[i] == UInt8(ascii: ";") else { throw Violation("chunk-ext without ';'") }
            i += 1
            skipBWS()
            guard token() else { throw Violation("chunk-ext without a name") }
            let afterName = i
            skipBWS()
            guard i < end, bytes[i] == UInt8(ascii: "=") else {
                i = afterName
                continue
            }
            i += 1
            skipBWS()
            guard i < end else { throw Violation("chunk-ext '=' without a value") }
            if bytes[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < end {
                    let byte = bytes[i]
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        i += 1
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        guard i + 1 < end else { break }
                        i += 2
                    } else {
                        i += 1
                    }
                }
                if !closed { throw Violation("unterminated quoted-string in chunk-ext") }
            } else if !token() {
                throw Violation("chunk-ext value is neither token nor quoted-string")
            }
        }
        return size
    }
}
