/// Where a backend is reached: scheme, host and port of an endpoint (SPEC 3.2: health is kept per
/// origin, so every model behind one gateway shares it). The path plays no part.
public struct BackendOrigin: Hashable, Sendable, CustomStringConvertible {
    /// `http` or `https`, lower-cased.
    public let scheme: String
    /// Lower-cased host name or IP literal.
    public let host: String
    public let port: Int
    /// Hashed once (issue 10): the upstream pool and backend health look it up for every call.
    private let hash: Int

    public init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.hash = EndpointURL.originHash(scheme: scheme, host: host, port: port)
    }

    /// An endpoint's origin, with the hash the endpoint keeps.
    public init(_ url: EndpointURL) {
        scheme = url.scheme
        host = url.host
        port = url.port
        hash = url.originHash
    }

    public static func == (lhs: BackendOrigin, rhs: BackendOrigin) -> Bool {
        lhs.hash == rhs.hash && lhs.port == rhs.port && lhs.host == rhs.host && lhs.scheme == rhs.scheme
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    public var description: String { "\(scheme)://\(host):\(port)" }
}
