/// Picks the catalog models that may be contacted (SPEC 3.1): known kind, non-empty endpoint
/// that parses as an absolute `http`/`https` URL (`https` only when `httpsOnly`), and that does
/// not reach this proxy itself.
///
/// A value built once from the configuration and the bound listeners; `select` is pure, so it
/// can run on any thread for every new snapshot.
public struct CandidateSelector: Sendable {
    /// `upstream.httpsOnly`: refuse `http` endpoints.
    public var httpsOnly: Bool
    /// The listeners (with their bound ports) and the `publicURL`, if configured.
    public var selfAddresses: [SelfAddress]

    public init(httpsOnly: Bool, selfAddresses: [SelfAddress]) {
        self.httpsOnly = httpsOnly
        self.selfAddresses = selfAddresses
    }

    /// Every model of `snapshot` as a candidate or an exclusion, in snapshot order.
    ///
    /// Checks run in this order and the first failure is the reason: kind, empty endpoint,
    /// endpoint syntax, `httpsOnly`, self-probe.
    public func select(from snapshot: CatalogSnapshot) -> CandidateSelection {
        var selection = CandidateSelection()
        for model in snapshot.models {
            switch evaluate(model, kinds: snapshot.kinds) {
            case .candidate(let candidate): selection.candidates.append(candidate)
            case .excluded(let reason): selection.excluded.append(Exclusion(model: model.id, reason: reason))
            }
        }
        return selection
    }

    private enum Verdict {
        case candidate(Candidate)
        case excluded(ExclusionReason)
    }

    private func evaluate(_ model: MaaSModel, kinds: KindRegistry) -> Verdict {
        guard let probe = kinds.probe(forKind: model.modelRef.kind) else {
            return .excluded(.unknownKind(model.modelRef.kind))
        }
        guard !model.endpoint.allSatisfy(\.isWhitespace) else { return .excluded(.emptyEndpoint) }
        guard let endpoint = EndpointURL(parsing: model.endpoint) else { return .excluded(.invalidEndpoint) }
        if httpsOnly && endpoint.scheme != "https" { return .excluded(.httpRefused) }
        // SPEC 3.1: probing our own /v1/models would recurse through the access check.
        if selfAddresses.contains(where: { $0.matches(endpoint) }) { return .excluded(.selfProbe) }
        return .candidate(Candidate(model: model, probe: probe, endpoint: endpoint))
    }
}
