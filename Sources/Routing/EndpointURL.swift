/// An absolute `http`/`https` URL taken from `status.endpoint` (SPEC 3.1, 3.2).
///
/// Parsed once when a snapshot is built; everything the proxy sends upstream is derived from it.
public struct EndpointURL: Hashable, Sendable, CustomStringConvertible {
    /// `http` or `https`, lower-cased.
    public var scheme: String { didSet { deriveOrigin() } }
    /// Lower-cased host name or IP literal; IPv6 literals without brackets.
    public var host: String { didSet { deriveOrigin() } }
    /// Explicit port, or 80/443 from the scheme.
    public var port: Int { didSet { deriveOrigin() } }
    /// Empty or starting with `/`, percent-encoding kept as written.
    public var path: String
    /// The query without its `?`; nil when the URL had none.
    public var query: String?
    /// The `Host` header value: host (IPv6 bracketed) and the port unless it is the scheme's default.
    ///
    /// Stored, and kept in step with `scheme`, `host` and `port`: every forwarded request and probe
    /// sends it, and building it per request cost more than the routing (issue 10).
    public private(set) var hostHeader: String
    /// A hash of `scheme`, `host` and `port` (the origin, SPEC 3.2), kept in step with them like
    /// `hostHeader`: the upstream pool and backend health look every forwarded call's origin up.
    public private(set) var originHash: Int

    public init(scheme: String, host: String, port: Int, path: String, query: String?) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.hostHeader = Self.hostHeader(scheme: scheme, host: host, port: port)
        self.originHash = Self.originHash(scheme: scheme, host: host, port: port)
    }

    private mutating func deriveOrigin() {
        hostHeader = Self.hostHeader(scheme: scheme, host: host, port: port)
        originHash = Self.originHash(scheme: scheme, host: host, port: port)
    }

    /// The hash `BackendOrigin` keeps for the same three values.
    public static func originHash(scheme: String, host: String, port: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(scheme)
        hasher.combine(host)
        hasher.combine(port)
        return hasher.finalize()
    }

    private static func hostHeader(scheme: String, host: String, port: Int) -> String {
        let bracketed = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        let isDefaultPort = (scheme == "http" && port == 80) || (scheme == "https" && port == 443)
        return isDefaultPort ? bracketed : "\(bracketed):\(port)"
    }

    // `hostHeader` and `originHash` follow from the other fields: equality and hashing leave them out.
    public static func == (lhs: EndpointURL, rhs: EndpointURL) -> Bool {
        lhs.port == rhs.port && lhs.host == rhs.host && lhs.path == rhs.path && lhs.scheme == rhs.scheme
            && lhs.query == rhs.query
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(scheme)
        hasher.combine(host)
        hasher.combine(port)
        hasher.combine(path)
        hasher.combine(query)
    }
}
