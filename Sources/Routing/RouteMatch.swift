/// The result of routing a request path (SPEC 5.1 step 1): the matched route and the rest of the
/// path after its prefix.
public struct RouteMatch: Sendable, Hashable {
    public var route: Route
    /// The request path after the prefix, as a slice of the path matched: routing copies nothing,
    /// and `upstreamPath` builds the one string the upstream request needs (issue 10).
    public var rest: Substring

    public init(route: Route, remainder: String) {
        self.init(route: route, rest: remainder[...])
    }

    public init(route: Route, rest: Substring) {
        self.route = route
        self.rest = rest
    }

    /// The request path after the prefix: empty, or starting with `/`.
    public var remainder: String {
        get { String(rest) }
        set { rest = newValue[...] }
    }

    public var candidate: Candidate { route.candidate }
    public var model: MaaSModel { route.model }
    public var endpoint: EndpointURL { route.endpoint }

    /// The upstream path: the endpoint's path (trailing `/` removed) followed by `remainder`, or
    /// the endpoint's path as written when the request named the prefix exactly.
    public var upstreamPath: String {
        guard !rest.isEmpty else { return endpoint.path }
        let base = route.candidate.basePath
        var path = ""
        path.reserveCapacity(base.utf8.count + rest.utf8.count)
        path.append(base)
        path.append(contentsOf: rest)
        return path
    }

    /// Where to send the request: the endpoint's scheme, host and port, `upstreamPath`, and the
    /// request's own query (`nil` for none).
    ///
    /// The endpoint's query is replaced, not merged: SPEC 5.1 forwards "with the query string" of
    /// the call, and merging would let a caller's parameters collide with the endpoint's.
    public func upstreamURL(query: String?) -> EndpointURL {
        var url = endpoint
        url.path = upstreamPath
        url.query = query
        return url
    }
}
