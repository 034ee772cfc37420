import AccessCheck

/// Not SHA-256: four FNV-1a rounds give 32 bytes, distinct for the small inputs tests use.
struct FakeDigest: DigestFunction {
    func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var output: [UInt8] = []
        for round in 0..<4 {
            for byte in bytes + [UInt8(round)] {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            withUnsafeBytes(of: hash) { output.append(contentsOf: $0) }
        }
        return output
    }
}
