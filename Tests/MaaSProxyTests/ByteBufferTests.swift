import Glibc
import Testing

@testable import MaaSProxy

/// The growable byte queue: growth across its first 4096 bytes, compaction after consume, memory
/// given back when empty, the decimal and hexadecimal writers, and a seeded random sequence of
/// every operation checked against an `[UInt8]` model.
@Suite struct ByteBufferTests {
    private static func contents(_ buffer: ByteBuffer) -> [UInt8] {
        buffer.withUnreadBytes { Array($0) }
    }

    private static func text(_ buffer: ByteBuffer) -> String {
        buffer.withUnreadBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Bytes that differ from their neighbours, so a misplaced copy shows.
    private static func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { bytes, initialized in
            for index in 0..<count { bytes[index] = UInt8(truncatingIfNeeded: (index &* 7) &+ (index >> 8) &+ seed) }
            initialized = count
        }
    }

    /// The writable room after the unread bytes, without changing the buffer (while some is left).
    private static func room(_ buffer: ByteBuffer) -> Int { buffer.reserveTail(1).count }

    @Test func aNewBufferIsEmptyAndHoldsNoMemory() {
        let buffer = ByteBuffer()
        #expect(buffer.count == 0)
        #expect(buffer.isEmpty)
        buffer.withUnreadBytes { bytes in
            #expect(bytes.count == 0)
            #expect(bytes.baseAddress == nil)
        }
    }

    /// Sizes appended to a new buffer, in order → the room left after them: the first allocation
    /// is 4096 bytes, then the capacity doubles (to the first power of two × 4096 that fits).
    @Test(
        arguments: [
            ([1], 4095), ([4095], 1), ([4095, 1], 4096), ([4096], 4096), ([4097], 4095), ([4096, 1], 4095),
            ([4095, 2], 4095), ([8192], 8192), ([8193], 8191), ([12_289], 4095), ([20_000], 12_768),
            ([4096, 4096], 8192), ([4096, 4096, 1], 8191),
        ] as [([Int], Int)]
    )
    func growthAcrossTheFirstAllocation(sizes: [Int], expectedRoom: Int) {
        let buffer = ByteBuffer()
        var model: [UInt8] = []
        for (index, size) in sizes.enumerated() {
            let bytes = Self.pattern(size, seed: index)
            buffer.append(bytes)
            model += bytes
        }
        #expect(buffer.count == model.count)
        #expect(Self.contents(buffer) == model)
        #expect(Self.room(buffer) == expectedRoom)
    }

    /// Consumed bytes make room at the front: when what is asked fits there, the unread bytes move
    /// down instead of the buffer growing.
    @Test(
        arguments: [
            // (filled, consumed, asked) → room after reserving.
            (4096, 1000, 500, 1000), (4096, 1000, 1000, 1000), (4096, 1, 1, 1),
            // Not enough once moved: grows to fit the unread bytes plus what is asked.
            (4096, 1000, 1001, 5096), (4096, 1, 2, 4097),
            // Room left at the tail already: nothing moves.
            (3000, 1000, 1096, 1096), (3000, 1000, 500, 1096),
        ] as [(Int, Int, Int, Int)]
    )
    func compactionAfterConsume(filled: Int, consumed: Int, asked: Int, expectedRoom: Int) {
        let buffer = ByteBuffer()
        let bytes = Self.pattern(filled)
        buffer.append(bytes)
        buffer.consume(consumed)
        let room = buffer.reserveTail(asked)
        #expect(room.count == expectedRoom)
        #expect(room.count >= asked)
        #expect(Self.contents(buffer) == Array(bytes[consumed...]))
        // Filling exactly the reserved room keeps everything in order.
        let tail = Self.pattern(room.count, seed: 99)
        tail.withUnsafeBytes { room.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: tail.count) }
        buffer.commitTail(tail.count)
        #expect(Self.contents(buffer) == Array(bytes[consumed...]) + tail)
    }

    @Test func consumingEverythingRewindsToTheFront() {
        let buffer = ByteBuffer()
        buffer.append(Self.pattern(3000))
        #expect(Self.room(buffer) == 1096)
        buffer.consume(1000)
        #expect(buffer.count == 2000)
        #expect(Self.room(buffer) == 1096)
        buffer.consume(2000)
        #expect(buffer.isEmpty)
        #expect(Self.room(buffer) == 4096)
        buffer.append([1, 2, 3])
        #expect(Self.contents(buffer) == [1, 2, 3])
    }

    @Test func consumeZeroChangesNothing() {
        let buffer = ByteBuffer()
        buffer.consume(0)
        #expect(buffer.isEmpty)
        buffer.append([9, 8, 7])
        buffer.consume(0)
        #expect(Self.contents(buffer) == [9, 8, 7])
    }

    @Test func removeAllKeepsTheMemory() {
        let buffer = ByteBuffer()
        buffer.append(Self.pattern(5000))
        buffer.consume(10)
        buffer.removeAll()
        #expect(buffer.isEmpty)
        #expect(Self.contents(buffer) == [])
        #expect(Self.room(buffer) == 8192)
    }

    /// An empty buffer frees its memory; the next append allocates a fresh 4096 bytes, not the
    /// 8192 the buffer had grown to.
    @Test func releaseIfEmptyGivesTheMemoryBack() {
        let buffer = ByteBuffer()
        buffer.append(Self.pattern(5000))
        buffer.consume(5000)
        #expect(Self.room(buffer) == 8192)
        buffer.releaseIfEmpty()
        #expect(buffer.isEmpty)
        buffer.withUnreadBytes { #expect($0.baseAddress == nil && $0.count == 0) }
        buffer.releaseIfEmpty()
        buffer.append([42])
        #expect(Self.contents(buffer) == [42])
        #expect(Self.room(buffer) == 4095)
    }

    @Test func releaseIfEmptyKeepsAnUnreadByte() {
        let buffer = ByteBuffer()
        buffer.append(Self.pattern(5000))
        buffer.consume(4999)
        buffer.releaseIfEmpty()
        #expect(buffer.count == 1)
        #expect(Self.contents(buffer) == [Self.pattern(5000)[4999]])
        #expect(Self.room(buffer) == 8192 - 5000)
    }

    @Test func appendingNothingAllocatesNothing() {
        let buffer = ByteBuffer()
        buffer.append([UInt8]())
        buffer.append([UInt8]()[...])
        buffer.append(UnsafeRawBufferPointer(start: nil, count: 0))
        buffer.append("")
        buffer.append(string: "")
        #expect(buffer.isEmpty)
        buffer.withUnreadBytes { #expect($0.baseAddress == nil) }
    }

    @Test func appendsASliceAsItsOwnBytes() {
        let buffer = ByteBuffer()
        let bytes = Self.pattern(100)
        buffer.append(bytes[10..<20])
        #expect(Self.contents(buffer) == Array(bytes[10..<20]))
    }

    @Test(
        arguments: [
            (0, "0", "0"), (9, "9", "9"), (10, "10", "a"), (15, "15", "f"), (16, "16", "10"), (255, "255", "ff"),
            (256, "256", "100"), (4096, "4096", "1000"), (65_535, "65535", "ffff"),
            (Int(Int32.max), "2147483647", "7fffffff"), (Int.max, "9223372036854775807", "7fffffffffffffff"),
        ] as [(Int, String, String)]
    )
    func decimalAndHexadecimal(value: Int, decimal: String, hex: String) {
        let buffer = ByteBuffer()
        buffer.appendDecimal(value)
        #expect(Self.text(buffer) == decimal)
        buffer.removeAll()
        buffer.appendHex(value)
        #expect(Self.text(buffer) == hex)
        // Written after what is already there, leaving it intact.
        buffer.removeAll()
        buffer.append("n=")
        buffer.appendDecimal(value)
        buffer.append(";x=")
        buffer.appendHex(value)
        #expect(Self.text(buffer) == "n=\(decimal);x=\(hex)")
    }

    /// A number written across the end of the first allocation: the writers reserve their worst
    /// case (20 decimal, 16 hexadecimal digits) and the buffer grows or moves first.
    @Test(arguments: [4076, 4077, 4080, 4088, 4095, 4096])
    func numbersAcrossTheAllocationBoundary(prefix: Int) {
        let buffer = ByteBuffer()
        let head = Self.pattern(prefix)
        buffer.append(head)
        buffer.appendDecimal(Int(Int32.max))
        buffer.appendHex(Int.max)
        #expect(Self.contents(buffer) == head + Array("2147483647".utf8) + Array("7fffffffffffffff".utf8))
        // The same after consuming, where a writer's reserve moves the unread bytes down instead.
        let moved = ByteBuffer()
        moved.append(head)
        moved.consume(100)
        moved.appendHex(4096)
        moved.appendDecimal(4096)
        #expect(Self.contents(moved) == Array(head[100...]) + Array("10004096".utf8))
        #expect(Self.room(moved) == 4096 - (prefix - 100 + 8))
    }

    @Test func textAndFields() {
        let buffer = ByteBuffer()
        buffer.append("HTTP/1.1 ")
        buffer.append(string: "café ✓")
        buffer.appendField("X-Name", "välue")
        buffer.appendField("Empty", "")
        #expect(Self.text(buffer) == "HTTP/1.1 café ✓X-Name: välue\r\nEmpty: \r\n")
        #expect(buffer.count == 9 + 9 + 16 + 9)
    }

    /// 600 random operations per seed, the buffer compared with a plain array after each one.
    @Test(arguments: [1, 42, 0xDEAD_BEEF] as [UInt64])
    func interleavedOperationsKeepTheContent(seed: UInt64) {
        var random = SeededRandom(state: seed)
        let buffer = ByteBuffer()
        var model: [UInt8] = []
        let sizes = [0, 1, 2, 19, 20, 100, 4095, 4096, 4097]
        var stamp = 0
        var largest = 0
        for step in 0..<600 {
            let operation = Int.random(in: 0..<100, using: &random)
            switch operation {
            case 0..<35:
                let size =
                    Bool.random(using: &random)
                    ? sizes.randomElement(using: &random)! : Int.random(in: 0..<6000, using: &random)
                stamp += 1
                let bytes = Self.pattern(size, seed: stamp)
                if Bool.random(using: &random) {
                    buffer.append(bytes)
                    model += bytes
                } else {
                    let from = size == 0 ? 0 : Int.random(in: 0..<size, using: &random)
                    buffer.append(bytes[from...])
                    model += bytes[from...]
                }
            case 35..<65:
                let count = model.isEmpty ? 0 : Int.random(in: 0...model.count, using: &random)
                buffer.consume(count)
                model.removeFirst(count)
            case 65..<80:
                let asked = Bool.random(using: &random) ? Int.random(in: 1...64, using: &random) : 16_384
                let room = buffer.reserveTail(asked)
                guard room.count >= asked else {
                    Issue.record("seed \(seed), step \(step): asked \(asked), got \(room.count)")
                    return
                }
                let filled = Int.random(in: 0...asked, using: &random)
                stamp += 1
                let bytes = Self.pattern(filled, seed: stamp)
                if filled > 0 {
                    bytes.withUnsafeBytes { room.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: filled) }
                }
                buffer.commitTail(filled)
                model += bytes
            case 80..<90:
                let value = Int.random(in: 0...Int.max, using: &random) >> Int.random(in: 0..<63, using: &random)
                if Bool.random(using: &random) {
                    buffer.appendDecimal(value)
                    model += Array(String(value).utf8)
                } else {
                    buffer.appendHex(value)
                    model += Array(String(value, radix: 16).utf8)
                }
            case 90..<95:
                buffer.releaseIfEmpty()
            case 95..<97:
                buffer.removeAll()
                model.removeAll()
            default:
                // Drain: the next appends start from an empty buffer.
                buffer.consume(buffer.count)
                model.removeAll()
                buffer.releaseIfEmpty()
            }
            largest = max(largest, model.count)
            // Keep the model small enough that the comparisons stay cheap.
            if model.count > 20_000 {
                buffer.consume(15_000)
                model.removeFirst(15_000)
            }
            let same = buffer.withUnreadBytes { unread in
                model.withUnsafeBytes { expected in
                    unread.count == expected.count
                        && (expected.count == 0
                            || memcmp(unread.baseAddress!, expected.baseAddress!, expected.count) == 0)
                }
            }
            guard same, buffer.count == model.count, buffer.isEmpty == model.isEmpty else {
                Issue.record(
                    "seed \(seed), step \(step), operation \(operation): \(buffer.count) ≠ \(model.count) bytes"
                )
                return
            }
        }
        // The sequence went well past the first allocations.
        #expect(largest > 16_384)
    }
}

/// SplitMix64, so a failing sequence is the same on every run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
