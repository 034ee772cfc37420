import Routing

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
