import AccessCheck
import Synchronization

/// `FakeDigest` with its own allocation-free entry point, counting calls of each.
final class CountingDigest: DigestFunction {
    private let counts = Mutex((arrays: 0, buffers: 0))

    var arrayCalls: Int { counts.withLock { $0.arrays } }
    var bufferCalls: Int { counts.withLock { $0.buffers } }

    func sha256(_ bytes: [UInt8]) -> [UInt8] {
        counts.withLock { $0.arrays += 1 }
        return FakeDigest().sha256(bytes)
    }

    func sha256(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        counts.withLock { $0.buffers += 1 }
        output.copyBytes(from: FakeDigest().sha256(Array(input)))
        return true
    }
}
