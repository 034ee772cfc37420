import Routing

/// SHA-256 of a caller's trimmed `Authorization` and subscription (SPEC 4), computed once per request.
/// The raw credential never reaches the cache.
public struct CredentialDigest: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(caller: Caller, digest: any DigestFunction) {
        // Length-prefixed fields, so ("ab", "c") and ("a", "bc") can never collide.
        var input: [UInt8] = []
        for field in [caller.credential.value, caller.subscription ?? ""] {
            let utf8 = Array(field.utf8)
            withUnsafeBytes(of: UInt64(utf8.count).bigEndian) { input.append(contentsOf: $0) }
            input.append(caller.subscription == nil && field.isEmpty ? 0 : 1)
            input.append(contentsOf: utf8)
        }
        self.bytes = digest.sha256(input)
    }
}

/// The decision-cache key (SPEC 4): the credential digest, the model's identity and its endpoint.
public struct DecisionKey: Hashable, Sendable {
    public let credential: CredentialDigest
    public let model: ModelID
    public let endpoint: String

    public init(credential: CredentialDigest, model: ModelID, endpoint: String) {
        self.credential = credential
        self.model = model
        self.endpoint = endpoint
    }
}
