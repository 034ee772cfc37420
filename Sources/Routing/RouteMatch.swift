/// The result of routing a request path (SPEC 5.1 step 1): the matched route and the rest of the
/// path after its prefix.
///
/// Holds the string the path was read from and UTF-8 offsets into it: routing copies nothing,
/// and `upstreamPath` is the request path itself when the prefix is the endpoint's path (issue 10).
public struct RouteMatch: Sendable, Hashable {
    public let route: Route
    /// The path matched, or the request target it is the start of.
    private let text: String
    /// Where the path is in `text`, in UTF-8 offsets.
    private let path: Range<Int>
    /// Where the part after the prefix starts in `text`.
    private let restStart: Int

    public init(route: Route, remainder: String) {
        let text = route.prefix + remainder
        self.init(route: route, text: text, path: 0..<text.utf8.count, restStart: route.prefix.utf8.count)
    }

    /// A match of `text[path]` (UTF-8 offsets) whose bytes up to `restStart` are `route.prefix`.
    init(route: Route, text: String, path: Range<Int>, restStart: Int) {
        self.route = route
        self.text = text
        self.path = path
        self.restStart = restStart
    }

    /// The request path after the prefix, as a slice of the path matched: empty, or starting with `/`.
    public var rest: Substring {
        let utf8 = text.utf8
        return text[
            utf8.index(utf8.startIndex, offsetBy: restStart)..<utf8.index(utf8.startIndex, offsetBy: path.upperBound)
        ]
    }

    /// `rest` as a string of its own.
    public var remainder: String { String(rest) }

    public var candidate: Candidate { route.candidate }
    public var model: MaaSModel { route.model }
    public var endpoint: EndpointURL { route.endpoint }

    /// The upstream path: the endpoint's path (trailing `/` removed) followed by `remainder`, or
    /// the endpoint's path as written when the request named the prefix exactly.
    public var upstreamPath: String {
        guard restStart < path.upperBound else { return endpoint.path }
        let base = route.candidate.basePath
        // The usual route: the prefix is the endpoint's path, so base + rest is the path received.
        if base == route.prefix {
            if path.lowerBound == 0 && path.upperBound == text.utf8.count { return text }
            let utf8 = text.utf8
            return String(
                text[
                    utf8.index(
                        utf8.startIndex,
                        offsetBy: path.lowerBound
                    )..<utf8.index(utf8.startIndex, offsetBy: path.upperBound)
                ]
            )
        }
        var upstream = base
        upstream.append(contentsOf: rest)
        return upstream
    }

    /// Where to send the request on the endpoint's origin (scheme, host and port): the origin-form
    /// target of `upstreamPath` and the request's own query (`nil` for none).
    ///
    /// The endpoint's query is replaced, not merged: SPEC 5.1 forwards "with the query string" of
    /// the call, and merging would let a caller's parameters collide with the endpoint's.
    public func upstreamTarget(query: String?) -> String {
        EndpointURL.requestTarget(path: upstreamPath, query: query)
    }

    // The same route and rest, whatever string they were read from.
    public static func == (lhs: RouteMatch, rhs: RouteMatch) -> Bool {
        lhs.route == rhs.route && lhs.rest == rhs.rest
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(route)
        hasher.combine(rest)
    }
}
