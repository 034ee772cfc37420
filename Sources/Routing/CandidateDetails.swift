/// What a `Candidate` holds, with the values derived from it computed once per catalog snapshot
/// rather than once per request (issue 10). Immutable, so one instance is shared by every copy of
/// a candidate and by every thread.
final class CandidateDetails: Sendable {
    let model: MaaSModel
    let probe: ProbeSpec
    let endpoint: EndpointURL
    /// `endpoint`'s scheme, host and port: where its calls go and what its health is kept by.
    let origin: BackendOrigin
    /// `endpoint.description`.
    let endpointText: String
    /// `model.id`.
    let id: ModelID
    /// `model.id.description`.
    let idText: String
    /// `probe != .none`.
    let hasProbe: Bool
    /// `model.isReady`.
    let isReady: Bool
    /// `endpoint.path` without its trailing `/`s: what a path-routed request's remainder is
    /// appended to (SPEC 5.1 step 1).
    let basePath: String
    /// `id` and `endpointText` for decision-cache keys (SPEC 4).
    let identity: CandidateIdentity

    init(model: MaaSModel, probe: ProbeSpec, endpoint: EndpointURL) {
        self.model = model
        self.probe = probe
        self.endpoint = endpoint
        self.origin = BackendOrigin(endpoint)
        self.endpointText = endpoint.description
        self.id = model.id
        self.idText = model.id.description
        self.hasProbe = probe != .none
        self.isReady = model.isReady
        var base = Substring(endpoint.path)
        while base.hasSuffix("/") { base = base.dropLast() }
        self.basePath = String(base)
        self.identity = CandidateIdentity(model: id, endpoint: endpointText)
    }
}
