/// The result of routing a request path (SPEC 5.1 step 1): the matched route and the rest of the
/// path after its prefix.
///
/// Holds the path as given and where the rest starts: routing copies nothing, and
/// `upstreamPath` builds the one string the upstream request needs (issue 10).
public struct RouteMatch: Sendable, Hashable {
    public var route: Route
    /// The path matched (or, from `init(route:remainder:)`, the remainder alone).
    private var path: Substring
    /// The UTF-8 offset in `path` where the remainder starts.
    private var restStart: Int

    public init(route: Route, remainder: String) {
        self.init(route: route, path: remainder[...], restStart: 0)
    }

    /// A match of `path` whose first `restStart` UTF-8 bytes are the route's prefix.
    init(route: Route, path: Substring, restStart: Int) {
        self.route = route
        self.path = path
        self.restStart = restStart
    }

    /// The request path after the prefix, as a slice of the path matched: empty, or starting with `/`.
    public var rest: Substring {
        path[path.utf8.index(path.startIndex, offsetBy: restStart)...]
    }

    /// `rest` as a string of its own.
    public var remainder: String {
        get { String(rest) }
        set {
            path = newValue[...]
            restStart = 0
        }
    }

    public var candidate: Candidate { route.candidate }
    public var model: MaaSModel { route.model }
    public var endpoint: EndpointURL { route.endpoint }

    /// The upstream path: the endpoint's path (trailing `/` removed) followed by `remainder`, or
    /// the endpoint's path as written when the request named the prefix exactly.
    public var upstreamPath: String {
        var path = self.path
        let restStart = self.restStart
        return path.withUTF8 { bytes in
            let rest = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[restStart...])
            guard !rest.isEmpty else { return endpoint.path }
            var base = route.candidate.basePath
            return base.withUTF8 { base in
                String(unsafeUninitializedCapacity: base.count + rest.count) { output in
                    let raw = UnsafeMutableRawBufferPointer(output)
                    raw.copyMemory(from: UnsafeRawBufferPointer(base))
                    UnsafeMutableRawBufferPointer(rebasing: raw[base.count...]).copyMemory(from: rest)
                    return base.count + rest.count
                }
            }
        }
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

    // The same route and rest, whatever path they were cut from.
    public static func == (lhs: RouteMatch, rhs: RouteMatch) -> Bool {
        lhs.route == rhs.route && lhs.rest == rhs.rest
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(route)
        hasher.combine(rest)
    }
}
