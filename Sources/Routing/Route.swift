/// One entry of a `RouteTable`: a path prefix and the candidate it leads to (SPEC 5.1 step 1).
public struct Route: Sendable, Hashable {
    /// Starts with `/`, never ends with `/`; see `RouteTable.routePrefix(for:endpoint:)`.
    public var prefix: String
    public var candidate: Candidate

    public init(prefix: String, candidate: Candidate) {
        self.prefix = prefix
        self.candidate = candidate
    }

    public var model: MaaSModel { candidate.model }
    public var endpoint: EndpointURL { candidate.endpoint }
}
