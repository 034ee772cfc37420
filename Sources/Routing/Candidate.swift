/// A catalog model that may be shown to a caller, with everything needed to check access (SPEC 3.1).
///
/// A value type over one shared, immutable `CandidateDetails`: the forwarding path copies a
/// candidate several times per request (route, match, check, send), and a copy is one retain
/// instead of a copy of every string of the model (issue 10). Setting `model` or `probe` makes
/// new details, so copies never see each other's changes.
public struct Candidate: Hashable, Sendable {
    /// Everything stored and derived; shared between copies.
    private var details: CandidateDetails

    public init(model: MaaSModel, probe: ProbeSpec, endpoint: EndpointURL) {
        self.details = CandidateDetails(model: model, probe: probe, endpoint: endpoint)
    }

    public var model: MaaSModel {
        get { details.model }
        set { details = CandidateDetails(model: newValue, probe: details.probe, endpoint: details.endpoint) }
    }

    /// The kind's probe; `.none` for kinds such as `ExternalModel`.
    public var probe: ProbeSpec {
        get { details.probe }
        set { details = CandidateDetails(model: details.model, probe: newValue, endpoint: details.endpoint) }
    }

    public var endpoint: EndpointURL { details.endpoint }
    /// `endpoint`'s origin, made once: a forwarded call is sent there (SPEC 3.2).
    public var origin: BackendOrigin { details.origin }
    /// `endpoint.hostHeader`, without copying the endpoint: every forwarded call sends it.
    public var hostHeader: String { details.endpoint.hostHeader }
    /// `endpoint.description`, computed once: decision-cache keys use it on every request.
    public var endpointText: String { details.endpointText }
    /// `model.id`, built once.
    public var id: ModelID { details.id }
    /// `model.id.description`, built once: logs and metrics name the model on every request.
    public var idText: String { details.idText }
    /// False for kinds without a probe (`probe == .none`).
    public var hasProbe: Bool { details.hasProbe }
    /// `model.isReady`, without copying the model.
    public var isReady: Bool { details.isReady }
    /// `endpoint.path` without its trailing `/`s.
    public var basePath: String { details.basePath }
    /// `id` and `endpointText` as one shared object: what decision-cache keys hold.
    public var identity: CandidateIdentity { details.identity }

    public static func == (lhs: Candidate, rhs: Candidate) -> Bool {
        lhs.details === rhs.details
            || (lhs.details.model == rhs.details.model && lhs.details.probe == rhs.details.probe
                && lhs.details.endpoint == rhs.details.endpoint)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(details.model)
        hasher.combine(details.probe)
        hasher.combine(details.endpoint)
    }
}
