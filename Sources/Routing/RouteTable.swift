import Glibc

/// Routing by path (SPEC 5.1 step 1): every candidate model has a route prefix, and a request goes
/// to the model with the longest prefix that matches whole path segments.
///
/// Immutable; build one per catalog snapshot and share it across threads.
public struct RouteTable: Sendable {
    /// One route per distinct prefix (the conflict winner where several models share it), sorted
    /// by prefix.
    public let routes: [Route]
    /// Prefixes claimed by more than one model, sorted by prefix; for logging.
    public let conflicts: [RouteConflict]
    /// Each prefix's position in `routes`: the routes are held once (a 20 000-model catalog's
    /// routes are several megabytes; issue 13's catalog memory), the prefixes' bytes once more.
    private let index: PrefixIndex
    /// Whether each route's prefix holds a `.` or `..` segment: such a route matches nothing.
    private let dotted: [Bool]

    public static let empty = RouteTable(candidates: [])

    /// A table of `candidates` (normally `CandidateSelector.select(from:).candidates`, so that
    /// models the proxy must never contact — unknown kind, bad endpoint, `httpsOnly`, self — are
    /// not routable either).
    public init(candidates: [Candidate]) {
        var claims: [String: [Candidate]] = [:]
        for candidate in candidates {
            // `routePrefix(for:endpoint:)`, sharing the candidate's string: `RouteMatch.upstreamPath`
            // then sees at a glance that the prefix is the endpoint's path.
            let prefix =
                candidate.basePath.isEmpty
                ? Self.routePrefix(for: candidate.model, endpoint: candidate.endpoint) : candidate.basePath
            claims[prefix, default: []].append(candidate)
        }
        var routes: [Route] = []
        routes.reserveCapacity(claims.count)
        var conflicts: [RouteConflict] = []
        for (prefix, claimants) in claims {
            let sorted = claimants.sorted { $0.model.id < $1.model.id }
            routes.append(Route(prefix: prefix, candidate: sorted[0]))
            if sorted.count > 1 {
                conflicts.append(
                    RouteConflict(
                        prefix: prefix,
                        winner: sorted[0].model.id,
                        shadowed: sorted.dropFirst().map(\.model.id)
                    )
                )
            }
        }
        claims = [:]
        routes.sort { $0.prefix < $1.prefix }
        self.index = PrefixIndex(routes.enumerated().map { (key: $1.prefix, value: $0) })
        self.dotted = routes.map { route in
            var prefix = route.prefix
            return prefix.withUTF8 { Self.hasDotSegment($0) }
        }
        self.routes = routes
        self.conflicts = conflicts.sorted { $0.prefix < $1.prefix }
    }

    /// A table of the models of `snapshot` that `selector` accepts. The default selector keeps
    /// every model with a known kind and an absolute `http`/`https` endpoint; pass the proxy's
    /// own selector so that self-referencing endpoints cannot form a forwarding loop.
    public init(
        snapshot: CatalogSnapshot,
        selector: CandidateSelector = CandidateSelector(httpsOnly: false, selfAddresses: [])
    ) {
        self.init(candidates: selector.select(from: snapshot).candidates)
    }

    /// The route prefix of a model (SPEC 5.1 step 1): the endpoint's path without trailing `/`
    /// when that leaves something, else `/<refNamespace>/<modelRef.name>`.
    public static func routePrefix(for model: MaaSModel, endpoint: EndpointURL) -> String {
        var path = Substring(endpoint.path)
        while path.hasSuffix("/") { path = path.dropLast() }
        guard path.isEmpty else { return String(path) }
        return "/\(model.refNamespace)/\(model.modelRef.name)"
    }

    /// The route whose prefix is the longest whole-segment prefix of `path`, or nil.
    ///
    /// `path` is the request path without its query, compared byte for byte as received (no
    /// percent-decoding): prefix `/a/b` matches `/a/b`, `/a/b/` and `/a/b/c`, never `/a/bc`.
    /// Paths that do not start with `/`, or that contain a `.` or `..` segment (also spelled
    /// `%2e`, or delimited by `%2f`, `%5c` or `\`), match nothing: the backend's normalisation
    /// could otherwise take `/a/b/../c` out of the prefix the caller was admitted for.
    ///
    /// Allocates nothing: the match holds the rest of `path` as a slice of it.
    public func match(path: String) -> RouteMatch? {
        var text = path
        let found = text.withUTF8 { find(in: $0) }
        guard let found else { return nil }
        return RouteMatch(
            route: routes[found.value],
            text: text,
            path: 0..<text.utf8.count,
            restStart: found.length
        )
    }

    /// `match(path:)` for a slice of the request target, without copying it.
    public func match(path: Substring) -> RouteMatch? {
        var path = path
        let found = path.withUTF8 { find(in: $0) }
        guard let found else { return nil }
        let start = path.base.utf8.distance(from: path.base.startIndex, to: path.startIndex)
        return RouteMatch(
            route: routes[found.value],
            text: path.base,
            path: start..<start + path.utf8.count,
            restStart: start + found.length
        )
    }

    private func find(in path: UnsafeBufferPointer<UInt8>) -> (value: Int, length: Int)? {
        guard path.first == UInt8(ascii: "/"), let found = index.longestPrefix(of: path) else { return nil }
        // Only a path that matches can be refused for a dot segment, and its segments are the
        // prefix's (known per route) and those of the rest, which starts at a `/`: no segment
        // and no `%` escape spans the two, so the rest is all there is to scan.
        guard !dotted[found.value],
            !Self.hasDotSegment(UnsafeBufferPointer(rebasing: path[found.length...]))
        else { return nil }
        return found
    }

    /// True when a segment is `.` or `..` once `%2e` is read as `.` and `%2f`, `%5c` and `\` as `/`.
    static func hasDotSegment(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Either spelling of a dot segment needs a `.` or a `%`; most paths have neither.
        guard Self.contains(dotOrPercentIn: bytes) else { return false }
        // Dots in the current segment so far; -1 once it holds anything else.
        var dots = 0
        var index = 0
        while index < bytes.count {
            var byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "%"), bytes.count - index >= 2 {
                let high = bytes[index]
                let low = bytes[index + 1] | 0x20
                if high == UInt8(ascii: "2") && low == UInt8(ascii: "e") {
                    byte = UInt8(ascii: ".")
                    index += 2
                } else if (high == UInt8(ascii: "2") && low == UInt8(ascii: "f"))
                    || (high == UInt8(ascii: "5") && low == UInt8(ascii: "c"))
                {
                    byte = UInt8(ascii: "/")
                    index += 2
                }
            }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") {
                if dots == 1 || dots == 2 { return true }
                dots = 0
            } else if byte == UInt8(ascii: ".") && dots >= 0 {
                dots = dots < 2 ? dots + 1 : -1
            } else {
                dots = -1
            }
        }
        return dots == 1 || dots == 2
    }

    /// True when `bytes` holds a `.` or a `%`.
    private static func contains(dotOrPercentIn bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return memchr(base, Int32(UInt8(ascii: ".")), bytes.count) != nil
            || memchr(base, Int32(UInt8(ascii: "%")), bytes.count) != nil
    }
}
