/// An absolute `http`/`https` URL taken from `status.endpoint` (SPEC 3.1, 3.2).
///
/// Parsed once when a snapshot is built; everything the proxy sends upstream is derived from it.
public struct EndpointURL: Hashable, Sendable, CustomStringConvertible {
    /// `http` or `https`, lower-cased.
    public var scheme: String
    /// Lower-cased host name or IP literal; IPv6 literals without brackets.
    public var host: String
    /// Explicit port, or 80/443 from the scheme.
    public var port: Int
    /// Empty or starting with `/`, percent-encoding kept as written.
    public var path: String
    /// The query without its `?`; nil when the URL had none.
    public var query: String?

    public init(scheme: String, host: String, port: Int, path: String, query: String?) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }
}
