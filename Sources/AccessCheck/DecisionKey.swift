import Routing

/// The decision-cache key (SPEC 4): the credential digest, the model's identity and its endpoint.
///
/// The model and endpoint are held as the candidate's shared `CandidateIdentity`: a key made on
/// the forwarding path copies, hashes and compares no strings (issue 10).
public struct DecisionKey: Hashable, Sendable {
    public let credential: CredentialDigest
    public let target: CandidateIdentity

    public init(credential: CredentialDigest, model: ModelID, endpoint: String) {
        self.init(credential: credential, target: CandidateIdentity(model: model, endpoint: endpoint))
    }

    /// The key of `candidate`: equal to the key of its `id` and `endpointText`.
    public init(credential: CredentialDigest, candidate: Candidate) {
        self.init(credential: credential, target: candidate.identity)
    }

    public init(credential: CredentialDigest, target: CandidateIdentity) {
        self.credential = credential
        self.target = target
    }

    public var model: ModelID { target.model }
    public var endpoint: String { target.endpoint }
}
