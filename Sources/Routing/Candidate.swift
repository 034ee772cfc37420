/// A catalog model that may be shown to a caller, with everything needed to check access (SPEC 3.1).
public struct Candidate: Hashable, Sendable {
    public var model: MaaSModel
    /// The kind's probe; `.none` for kinds such as `ExternalModel`.
    public var probe: ProbeSpec
    public let endpoint: EndpointURL
    /// `endpoint.description`, computed once: decision-cache keys use it on every request.
    public let endpointText: String

    public init(model: MaaSModel, probe: ProbeSpec, endpoint: EndpointURL) {
        self.model = model
        self.probe = probe
        self.endpoint = endpoint
        self.endpointText = endpoint.description
    }
}
