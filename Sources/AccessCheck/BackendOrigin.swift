import Routing

/// Where a backend is reached: scheme, host and port of an endpoint (SPEC 3.2: health is kept per
/// origin, so every model behind one gateway shares it). The path plays no part.
public struct BackendOrigin: Hashable, Sendable, CustomStringConvertible {
    /// `http` or `https`, lower-cased.
    public var scheme: String
    /// Lower-cased host name or IP literal.
    public var host: String
    public var port: Int

    public init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    public init(_ url: EndpointURL) {
        self.init(scheme: url.scheme, host: url.host, port: url.port)
    }

    public var description: String { "\(scheme)://\(host):\(port)" }
}
