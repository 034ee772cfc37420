import Routing

/// The decision-cache key (SPEC 4): the credential digest, the model's identity and its endpoint.
///
/// Hashed from the digest and a hash of the model and endpoint computed once per candidate
/// (`Candidate.targetHash`), not from the two strings on every lookup (issue 10). Equality still
/// compares every field.
public struct DecisionKey: Hashable, Sendable {
    public let credential: CredentialDigest
    public let model: ModelID
    public let endpoint: String
    /// `Candidate.targetHash(model: model, endpoint: endpoint)`.
    private let targetHash: Int

    public init(credential: CredentialDigest, model: ModelID, endpoint: String) {
        self.credential = credential
        self.model = model
        self.endpoint = endpoint
        self.targetHash = Candidate.targetHash(model: model, endpoint: endpoint)
    }

    /// The key of `candidate`: the same as from its `id` and `endpointText`, with the hash it has already.
    public init(credential: CredentialDigest, candidate: Candidate) {
        self.credential = credential
        self.model = candidate.id
        self.endpoint = candidate.endpointText
        self.targetHash = candidate.targetHash
    }

    public static func == (lhs: DecisionKey, rhs: DecisionKey) -> Bool {
        lhs.targetHash == rhs.targetHash && lhs.credential == rhs.credential && lhs.model == rhs.model
            && lhs.endpoint == rhs.endpoint
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(credential)
        hasher.combine(targetHash)
    }
}
