/// SHA-256 of a caller's trimmed `Authorization` and subscription (SPEC 4), computed once per request
/// and reused for every model. The raw credential never reaches the cache.
public struct CredentialDigest: Hashable, Sendable {
    /// The digest's output (32 bytes for SHA-256).
    public let bytes: [UInt8]

    public init(caller: Caller, digest: any DigestFunction) {
        // Each field length-prefixed and the subscription tagged present/absent, so no two
        // (credential, subscription) pairs share an input: ("ab", "c") vs ("a", "bc") included.
        var input: [UInt8] = []
        func appendLengthPrefixed(_ text: String) {
            let utf8 = Array(text.utf8)
            withUnsafeBytes(of: UInt64(utf8.count).bigEndian) { input.append(contentsOf: $0) }
            input.append(contentsOf: utf8)
        }
        appendLengthPrefixed(caller.credential.value)
        if let subscription = caller.subscription {
            input.append(1)
            appendLengthPrefixed(subscription)
        } else {
            input.append(0)
        }
        self.bytes = digest.sha256(input)
    }

    /// The digest in one call: the default for `[UInt8]` feeds the hasher a byte at a time, and
    /// every decision-cache lookup hashes this several times (entry, LRU links).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
