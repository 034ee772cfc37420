import Routing

/// The `url` a listing entry carries (SPEC 3.3, `listing.url`).
public enum ListingURL: Hashable, Sendable {
    /// The model's `status.endpoint`, as written (the default).
    case endpoint
    /// `publicURL` + the model's route prefix (SPEC 5.1 step 1), for every kind: the URL a client
    /// copies then reaches the model through this proxy.
    case proxy(publicURL: String)

    /// The URL listed for `candidate`; also what `ambiguous_model` names (SPEC 5.1 step 2).
    public func url(of candidate: Candidate) -> String {
        switch self {
        case .endpoint:
            return candidate.model.endpoint
        case .proxy(let publicURL):
            var base = Substring(publicURL)
            while base.hasSuffix("/") { base = base.dropLast() }
            return base + RouteTable.routePrefix(for: candidate.model, endpoint: candidate.endpoint)
        }
    }
}
