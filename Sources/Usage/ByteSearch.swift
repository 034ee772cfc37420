// The byte searches under the JSON reader and the event-stream scanner. `bytes` is always the start
// of the piece being read and every position an offset from it, so a window of 16 bytes may be loaded
// anywhere in `0..<end` and never outside it (the fuzz harness poisons every byte outside the piece).
// On x86_64 they use SSE2 (part of the architecture's baseline: every x86_64 processor has it), one
// compare per kind of byte for 16 bytes at a time; elsewhere they look at eight bytes a step in a word.
#if arch(x86_64)
internal import _Builtin_intrinsics.intel
#endif

/// The first position in `start..<end` whose byte is `"`, `\` or a control character, or `end`.
@inline(__always)
func firstStringStop(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
    var position = start
    #if arch(x86_64)
    while position &+ 16 <= end {
        let stops = ByteBlock(bytes + position).stringStops
        if stops != 0 { return position &+ stops.trailingZeroBitCount }
        position &+= 16
    }
    guard position < end else { return end }
    if end >= 16 {
        // The piece's last 16 bytes, those before `position` shifted out.
        let first = end &- 16
        let stops = ByteBlock(bytes + first).stringStops &>> UInt32(truncatingIfNeeded: position &- first)
        return stops != 0 ? position &+ stops.trailingZeroBitCount : end
    }
    #else
    let words = UnsafeRawPointer(bytes)
    while position < end &- 7 {
        let stops = stringStops(words.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        if stops != 0 { return position &+ (stops.trailingZeroBitCount &>> 3) }
        position &+= 8
    }
    #endif
    while position < end {
        let byte = bytes[position]
        if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
        position &+= 1
    }
    return position
}

/// The first position in `start..<end` whose byte is CR or LF, or `end`.
@inline(__always)
func firstLineEnd(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
    var position = start
    #if arch(x86_64)
    while position &+ 16 <= end {
        let lineEnds = ByteBlock(bytes + position).lineEnds
        if lineEnds != 0 { return position &+ lineEnds.trailingZeroBitCount }
        position &+= 16
    }
    guard position < end else { return end }
    if end >= 16 {
        let first = end &- 16
        let lineEnds = ByteBlock(bytes + first).lineEnds &>> UInt32(truncatingIfNeeded: position &- first)
        return lineEnds != 0 ? position &+ lineEnds.trailingZeroBitCount : end
    }
    #else
    let words = UnsafeRawPointer(bytes)
    let ones: UInt64 = 0x0101_0101_0101_0101
    while position < end &- 7 {
        let word = UInt64(littleEndian: words.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        let lineFeeds = word ^ 0x0A0A_0A0A_0A0A_0A0A
        let returns = word ^ 0x0D0D_0D0D_0D0D_0D0D
        let marked = (((lineFeeds &- ones) & ~lineFeeds) | ((returns &- ones) & ~returns)) & 0x8080_8080_8080_8080
        if marked != 0 { return position &+ (marked.trailingZeroBitCount &>> 3) }
        position &+= 8
    }
    #endif
    while position < end, bytes[position] != 0x0A, bytes[position] != 0x0D { position &+= 1 }
    return position
}

/// The first position in `start..<end` whose byte is not an ASCII digit, or `end`.
@inline(__always)
func digitsEnd(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
    var position = start
    #if arch(x86_64)
    while position &+ 16 <= end {
        let others = ~ByteBlock(bytes + position).digits & 0xFFFF
        if others != 0 { return position &+ others.trailingZeroBitCount }
        position &+= 16
    }
    #endif
    while position < end, bytes[position] &- UInt8(ascii: "0") < 10 { position &+= 1 }
    return position
}

#if arch(x86_64)
/// Sixteen bytes, each kind of byte the readers stop at as a mask: bit `i` for the byte at `i`.
struct ByteBlock {
    private let vector: __m128i

    @inline(__always)
    init(_ bytes: UnsafePointer<UInt8>) {
        vector = _mm_loadu_si128(UnsafeRawPointer(bytes).assumingMemoryBound(to: __m128i.self))
    }

    @inline(__always)
    private func bits(_ mask: __m128i) -> UInt32 { UInt32(truncatingIfNeeded: _mm_movemask_epi8(mask)) }

    @inline(__always)
    private func equal(_ byte: UInt8) -> __m128i {
        _mm_cmpeq_epi8(vector, _mm_set1_epi8(CChar(bitPattern: byte)))
    }

    /// `"`, `\` and bytes below 0x20 (those equal to their minimum with 0x1F).
    var stringStops: UInt32 {
        let controls = _mm_cmpeq_epi8(_mm_min_epu8(vector, _mm_set1_epi8(0x1F)), vector)
        return bits(_mm_or_si128(_mm_or_si128(equal(UInt8(ascii: "\"")), equal(UInt8(ascii: "\\"))), controls))
    }

    /// CR and LF.
    var lineEnds: UInt32 { bits(_mm_or_si128(equal(0x0A), equal(0x0D))) }

    /// `0` to `9` (those whose distance from `0`, wrapping, is at most 9).
    var digits: UInt32 {
        let offsets = _mm_sub_epi8(vector, _mm_set1_epi8(CChar(UInt8(ascii: "0"))))
        return bits(_mm_cmpeq_epi8(_mm_min_epu8(offsets, _mm_set1_epi8(9)), offsets))
    }

    var quotes: UInt32 { bits(equal(UInt8(ascii: "\""))) }
    var backslashes: UInt32 { bits(equal(UInt8(ascii: "\\"))) }

    /// `{` and `[`, `}` and `]` (each pair differs only in bit 5).
    var opens: UInt32 {
        bits(_mm_cmpeq_epi8(_mm_or_si128(vector, _mm_set1_epi8(0x20)), _mm_set1_epi8(CChar(UInt8(ascii: "{")))))
    }
    var closes: UInt32 {
        bits(_mm_cmpeq_epi8(_mm_or_si128(vector, _mm_set1_epi8(0x20)), _mm_set1_epi8(CChar(UInt8(ascii: "}")))))
    }
}
#else
/// Eight bytes as loaded (first in memory first) to a mask with the high bit set in each byte that is
/// `"`, `\` or below 0x20; bytes after the first such byte may be marked too (a subtraction's borrow),
/// so only the lowest set bit counts. Bytes from 0x80 on (UTF-8 text) are never marked.
@inline(__always)
private func stringStops(_ loaded: UInt64) -> UInt64 {
    let word = UInt64(littleEndian: loaded)
    let ones: UInt64 = 0x0101_0101_0101_0101
    // A byte that is 0 after the XOR (the quote, the backslash) gets its high bit from subtracting 1;
    // a byte below 0x20 from subtracting 0x20. `& ~x` drops bytes whose own high bit was set.
    let quotes = word ^ 0x2222_2222_2222_2222
    let backslashes = word ^ 0x5C5C_5C5C_5C5C_5C5C
    let marked =
        ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
        | ((word &- 0x2020_2020_2020_2020) & ~word)
    return marked & 0x8080_8080_8080_8080
}
#endif
