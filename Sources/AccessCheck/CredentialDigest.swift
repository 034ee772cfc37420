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
        var credential = caller.credential.value
        var subscription = caller.subscription ?? ""
        let hasSubscription = caller.subscription != nil
        let count = 8 + credential.utf8.count + 1 + (hasSubscription ? 8 + subscription.utf8.count : 0)
        var words = SIMD4<UInt64>()
        var other: [UInt8]?
        withUnsafeTemporaryAllocation(byteCount: count, alignment: 8) { input in
            var offset = 0
            func append(lengthPrefixed text: inout String) {
                text.withUTF8 { utf8 in
                    input.storeBytes(of: UInt64(utf8.count).bigEndian, toByteOffset: offset, as: UInt64.self)
                    offset += 8
                    if let bytes = utf8.baseAddress {
                        (input.baseAddress! + offset).copyMemory(from: bytes, byteCount: utf8.count)
                    }
                    offset += utf8.count
                }
            }
            append(lengthPrefixed: &credential)
            input[offset] = hasSubscription ? 1 : 0
            offset += 1
            if hasSubscription { append(lengthPrefixed: &subscription) }
            let written = withUnsafeMutableBytes(of: &words) { output in
                digest.sha256(UnsafeRawBufferPointer(input), into: output)
            }
            if !written { other = digest.sha256(Array(input)) }
        }
        self.words = words
        self.other = other
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
