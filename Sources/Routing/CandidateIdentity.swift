/// What the decision cache knows a candidate by (SPEC 4): the model's identity and its endpoint,
/// with a hash of both computed once.
///
/// Built once per candidate and shared by every decision-cache key made for it, so a key is the
/// credential digest and one reference: copying, hashing and comparing keys touches no strings
/// on the forwarding path (issue 10).
public final class CandidateIdentity: Hashable, Sendable, CustomStringConvertible {
    public let model: ModelID
    /// `EndpointURL.description` of the endpoint.
    public let endpoint: String
    /// `model` and `endpoint` hashed, for this process.
    private let hash: Int

    public init(model: ModelID, endpoint: String) {
        self.model = model
        self.endpoint = endpoint
        var hasher = Hasher()
        hasher.combine(model)
        hasher.combine(endpoint)
        self.hash = hasher.finalize()
    }

    public static func == (lhs: CandidateIdentity, rhs: CandidateIdentity) -> Bool {
        lhs === rhs || (lhs.hash == rhs.hash && lhs.model == rhs.model && lhs.endpoint == rhs.endpoint)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }

    public var description: String { "\(model) at \(endpoint)" }
}
