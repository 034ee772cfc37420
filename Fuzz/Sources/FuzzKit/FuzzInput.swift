import CFuzzSupport

/// One fuzz input as a byte stream, fed to a codec in growing prefixes.
///
/// The stream lives in its own exactly sized heap block. While a codec looks at the window
/// `offset..<available`, the bytes before `offset` (already consumed: a server has dropped them) and from
/// `available` on (not arrived yet) are poisoned for AddressSanitizer, so reading either traps even though
/// the memory exists. ASan poisons in 8-byte granules: the up to 7 consumed bytes just before a window that
/// does not start on a granule stay readable; everything else outside the window is caught.
public final class FuzzInput {
    /// The stream, for the harness's own checks (never poisoned).
    public let bytes: [UInt8]
    private let base: UnsafeMutableRawPointer

    public var count: Int { bytes.count }

    public init(_ data: UnsafePointer<UInt8>, count: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: count))
        // malloc(count) under ASan: the redzone starts right after the last byte.
        base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 1)
        base.copyMemory(from: data, byteCount: count)
    }

    deinit {
        base.deallocate()
    }

    /// Calls `body` with the unconsumed bytes that have arrived, `offset..<available`; an empty window is
    /// passed with a nil base address, as an empty read buffer may be.
    public func withWindow<Result>(
        _ offset: Int,
        _ available: Int,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        precondition(0 <= offset && offset <= available && available <= count, "harness: bad window")
        cfuzz_poison(base, offset)
        cfuzz_poison(base + available, count - available)
        defer { cfuzz_unpoison(base, count) }
        if offset == available { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return body(UnsafeRawBufferPointer(start: base + offset, count: available - offset))
    }

    /// How the stream arrives, as the successive `available` counts (each ends with `count`):
    /// all at once; in two reads split at a point picked from the input's hash; and trickled (one byte per
    /// read up to 512 bytes, otherwise reads of 1...64 bytes). Every schedule must give the same transcript.
    public func schedules() -> [[Int]] {
        let n = count
        var result = [[n]]
        guard n >= 2 else { return result }
        var random = SplitMix(seed: fnv1a(bytes))
        result.append([1 + Int(random.next() % UInt64(n - 1)), n])
        var trickle: [Int] = []
        var available = 0
        while available < n {
            available += n <= 512 ? 1 : 1 + Int(random.next() % 64)
            trickle.append(min(available, n))
        }
        result.append(trickle)
        return result
    }
}

/// FNV-1a, 64-bit: a stable hash of the input to derive split points from.
func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return hash
}

/// SplitMix64, a tiny deterministic generator.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
