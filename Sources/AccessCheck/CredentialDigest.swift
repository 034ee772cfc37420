/// SHA-256 of a caller's trimmed `Authorization` and subscription (SPEC 4), computed once per request
/// and reused for every model. The raw credential never reaches the cache.
///
/// The input is built on the stack and the 32-byte digest held inline: a request allocates
/// nothing for it (issue 10).
public struct CredentialDigest: Hashable, Sendable {
    /// A 32-byte digest, as four words in memory order.
    private let words: SIMD4<UInt64>
    /// The output of a digest function that does not give 32 bytes (test doubles); nil otherwise.
    private let other: [UInt8]?

    public init(caller: Caller, digest: any DigestFunction) {
        // Each field length-prefixed and the subscription tagged present/absent, so no two
        // (credential, subscription) pairs share an input: ("ab", "c") vs ("a", "bc") included.
        let credential = caller.credential.value.utf8
        let subscription = caller.subscription?.utf8
        let count = 8 + credential.count + 1 + (subscription.map { 8 + $0.count } ?? 0)
        var words = SIMD4<UInt64>()
        var other: [UInt8]?
        withUnsafeTemporaryAllocation(byteCount: count, alignment: 8) { input in
            var offset = Self.write(lengthPrefixed: credential, into: input, at: 0)
            input[offset] = subscription == nil ? 0 : 1
            offset += 1
            if let subscription { offset = Self.write(lengthPrefixed: subscription, into: input, at: offset) }
            let written = withUnsafeMutableBytes(of: &words) { output in
                digest.sha256(UnsafeRawBufferPointer(input), into: output)
            }
            if !written { other = digest.sha256(Array(input)) }
        }
        self.words = words
        self.other = other
    }

    /// Writes the 8-byte big-endian length of `text` and its bytes at `offset`; returns the end.
    private static func write(
        lengthPrefixed text: String.UTF8View,
        into buffer: UnsafeMutableRawBufferPointer,
        at offset: Int
    ) -> Int {
        buffer.storeBytes(of: UInt64(text.count).bigEndian, toByteOffset: offset, as: UInt64.self)
        let start = offset + 8
        let copied = text.withContiguousStorageIfAvailable { bytes in
            if let source = bytes.baseAddress {
                (buffer.baseAddress! + start).copyMemory(from: source, byteCount: bytes.count)
            }
            return bytes.count
        }
        if let copied { return start + copied }
        var end = start
        for byte in text {
            buffer[end] = byte
            end += 1
        }
        return end
    }

    /// The digest's output (32 bytes for SHA-256).
    public var bytes: [UInt8] {
        if let other { return other }
        return withUnsafeBytes(of: words) { Array($0) }
    }

    /// Four words for a SHA-256 digest, not a byte at a time: every decision-cache lookup hashes
    /// this (entry, LRU links).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words[0])
        hasher.combine(words[1])
        hasher.combine(words[2])
        hasher.combine(words[3])
        if let other { other.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }
}
