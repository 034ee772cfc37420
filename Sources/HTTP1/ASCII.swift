/// Byte constants, a 256-entry byte-class table and the small scanning helpers the HTTP/1.1 grammar needs
/// (RFC 9110 section 5.6, RFC 9112). Everything works on raw bytes: nothing here creates a `String`.
@usableFromInline
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let equals: UInt8 = 0x3D
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F
    static let hash: UInt8 = 0x23
    static let star: UInt8 = 0x2A
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C

    /// `tchar` (RFC 9110 section 5.6.2).
    static let tokenFlag: UInt8 = 0x01
    /// A byte allowed in a request target: visible ASCII except `#` (a fragment is never sent, RFC 9112 3.2).
    static let targetFlag: UInt8 = 0x02
    /// A byte that ends or breaks a line: every control byte except HTAB, and DEL. CR and LF are among them.
    static let lineStopFlag: UInt8 = 0x04

    /// One entry per byte value, OR-ing the flags above. A literal so the compiler can lay it out statically.
    static let table: [UInt8] = [
        0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04,  // 0x00
        0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04,  // 0x10
        0x00, 0x03, 0x02, 0x01, 0x03, 0x03, 0x03, 0x03, 0x02, 0x02, 0x03, 0x03, 0x02, 0x03, 0x03, 0x02,  // 0x20
        0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,  // 0x30
        0x02, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03,  // 0x40
        0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x02, 0x02, 0x02, 0x03, 0x03,  // 0x50
        0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03,  // 0x60
        0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x02, 0x03, 0x02, 0x03, 0x04,  // 0x70
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0x80
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0x90
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0xA0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0xB0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0xC0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0xD0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0xE0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0xF0
    ]

    /// The flags of `byte`.
    @inline(__always)
    static func flags(_ byte: UInt8) -> UInt8 {
        // Through an unsafe buffer: a UInt8 index is always in 0..<256, so the array's bounds check is waste.
        table.withUnsafeBufferPointer { $0[Int(byte)] }
    }

    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool { flags(byte) & tokenFlag != 0 }

    @inline(__always)
    static func isTargetChar(_ byte: UInt8) -> Bool { flags(byte) & targetFlag != 0 }

    /// Optional whitespace, OWS = *( SP / HTAB ) (RFC 9110 section 5.6.3).
    @inline(__always)
    static func isOWS(_ byte: UInt8) -> Bool { byte == sp || byte == htab }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// The value of a HEXDIG (either case), or -1.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int {
        let digit = byte &- 0x30
        if digit < 10 { return Int(digit) }
        let letter = (byte | 0x20) &- 0x61
        return letter < 6 ? Int(letter) + 10 : -1
    }

    /// `byte` with A–Z mapped to a–z.
    @inlinable @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// Whether `p[range]` equals `lowercased` ignoring ASCII case. `lowercased` must be given in lower case.
    @inlinable @inline(__always)
    static func equalsLowercased(_ p: UnsafePointer<UInt8>, _ range: Range<Int>, _ lowercased: StaticString) -> Bool {
        let count = lowercased.utf8CodeUnitCount
        guard range.count == count else { return false }
        let expected = lowercased.utf8Start
        var i = 0
        while i < count {
            if lower(p[range.lowerBound &+ i]) != expected[i] { return false }
            i &+= 1
        }
        return true
    }

    /// `equalsLowercased` for the parsers' own constants, a word at a time. `known` may hold only a–z, 0–9
    /// and `-`: each has bit 0x20 set, and the byte that differs from it only in that bit is an uppercase
    /// letter or a control byte, which a line cleared by `findLineEnd` never holds (HTAB maps to `)`, which
    /// `known` does not contain). So `byte | 0x20 == known byte` is an exact case-insensitive test.
    @inline(__always)
    static func matchesKnown(_ p: UnsafePointer<UInt8>, _ range: Range<Int>, _ known: StaticString) -> Bool {
        let count = known.utf8CodeUnitCount
        guard range.count == count else { return false }
        let a = UnsafeRawPointer(p + range.lowerBound)
        let b = UnsafeRawPointer(known.utf8Start)
        if count >= 8 {
            let fold: UInt64 = 0x2020_2020_2020_2020
            var i = 0
            while count &- i > 8 {
                if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) | fold
                    != b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                {
                    return false
                }
                i &+= 8
            }
            // The last word overlaps the previous one rather than going byte by byte.
            let last = count &- 8
            return a.loadUnaligned(fromByteOffset: last, as: UInt64.self) | fold
                == b.loadUnaligned(fromByteOffset: last, as: UInt64.self)
        }
        if count >= 4 {
            let fold: UInt32 = 0x2020_2020
            let last = count &- 4
            return a.loadUnaligned(as: UInt32.self) | fold == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: last, as: UInt32.self) | fold
                    == b.loadUnaligned(fromByteOffset: last, as: UInt32.self)
        }
        for i in 0..<count where p[range.lowerBound &+ i] | 0x20 != known.utf8Start[i] { return false }
        return true
    }

    /// Whether `bytes[range]` equals `lowercased` ignoring ASCII case.
    @inlinable
    static func equalsLowercased(_ bytes: [UInt8], _ range: Range<Int>, _ lowercased: StaticString) -> Bool {
        guard range.count == lowercased.utf8CodeUnitCount, range.lowerBound >= 0, range.upperBound <= bytes.count
        else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return range.isEmpty }
            return equalsLowercased(base, range, lowercased)
        }
    }

    /// `range` without leading and trailing OWS.
    @inline(__always)
    static func trimOWS(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end && isOWS(p[start]) { start &+= 1 }
        while end > start && isOWS(p[end &- 1]) { end &-= 1 }
        return start..<end
    }

    /// `p[range]` as a decimal Content-Length: 1*DIGIT, at most 18 digits so it cannot overflow; -1 if invalid.
    static func contentLength(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> Int {
        // RFC 9112 6.3 and RFC 9110 8.6: Content-Length = 1*DIGIT. No sign, no inner spaces, no list.
        guard !range.isEmpty, range.count <= 18 else { return -1 }
        var value = 0
        for i in range {
            let digit = p[i] &- 0x30
            guard digit < 10 else { return -1 }
            value = value &* 10 &+ Int(digit)
        }
        return value
    }

    /// What `findLineEnd` found.
    enum LineEnd: Equatable {
        /// A complete line: the index of its CR (the LF follows it).
        case found(Int)
        /// No line end before `end`; scanning may resume at this index (a CR that ended the bytes is rescanned).
        case partial(Int)
        /// A CR not followed by LF (RFC 9112 2.2: a bare CR must be refused).
        case bareCR
        /// An LF without a CR before it. RFC 9112 2.2 lets a recipient accept it; a strict proxy does not.
        case bareLF
        /// NUL, another control byte (except HTAB) or DEL.
        case control
    }

    /// Scans `p[from..<end]` for CRLF, refusing every other control byte on the way (HTAB excepted).
    @inline(__always)
    static func findLineEnd(_ p: UnsafePointer<UInt8>, from: Int, end: Int) -> LineEnd {
        var i = from
        // Eight bytes at a time: most of a head is printable, and this is the one pass over all of it.
        while end &- i >= 8 {
            let mask = controlOrDELMask(UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)))
            if mask == 0 {
                i &+= 8
                continue
            }
            // The lowest flagged byte is exact (see `controlOrDELMask`): jump straight to it.
            i &+= mask.trailingZeroBitCount &>> 3
            if p[i] == htab {
                i &+= 1
                continue
            }
            return stop(p, i, end)
        }
        while i < end {
            if flags(p[i]) & lineStopFlag != 0 { return stop(p, i, end) }
            i &+= 1
        }
        return .partial(i)
    }

    /// What the line-stop byte `p[i]` means.
    @inline(__always)
    private static func stop(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> LineEnd {
        let byte = p[i]
        if byte == cr {
            let next = i &+ 1
            if next >= end { return .partial(i) }
            return p[next] == lf ? .found(i) : .bareCR
        }
        return byte == lf ? .bareLF : .control
    }

    /// The high bit of every byte of `word` (little-endian order) that is below 0x20 or is 0x7F; above the
    /// lowest flagged byte a borrow may flag more, so only the lowest one is exact (and zero means none).
    @inline(__always)
    static func controlOrDELMask(_ word: UInt64) -> UInt64 {
        // The classic "has a byte less than n" and "has a zero byte" tests (exact for n <= 128).
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- ones &* 0x20) & ~word & highs
        let del = word ^ (ones &* 0x7F)
        return below | ((del &- ones) & ~del & highs)
    }

    /// `p[range]` as a String (lossy UTF-8). For refusal reasons and accessors only, never while parsing.
    static func string(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(start: p + range.lowerBound, count: range.count), as: UTF8.self)
    }
}
