/// An address at which this proxy itself answers (SPEC 3.1): one of its listeners, or its
/// configured `publicURL`. An endpoint that reaches one would make the proxy probe (and route to)
/// itself, so such models are excluded.
///
/// Hosts are normalised on creation (lower-cased, brackets removed, IPv6 in RFC 5952 form) to
/// compare with `EndpointURL.host`, which is normalised the same way.
public struct SelfAddress: Hashable, Sendable, CustomStringConvertible {
    /// The host as normalised; for a listener, empty, `0.0.0.0` and `::` mean every interface.
    public let host: String
    /// For a listener, the port it is actually bound to (not `0`).
    public let port: Int
    /// nil for a listener (any scheme reaches the socket); the scheme of a `publicURL`.
    public let scheme: String?

    /// A listener bound to `host:port`.
    public init(host: String, port: Int) {
        self.host = HostSyntax.normalizedConfiguredHost(host)
        self.port = port
        self.scheme = nil
    }

    /// The configured `publicURL`: matches endpoints with the same scheme, host and port.
    public init(publicURL: EndpointURL) {
        self.host = publicURL.host
        self.port = publicURL.port
        self.scheme = publicURL.scheme
    }

    /// A listener from a `listen` value: `HOST:PORT`, `[IPV6]:PORT` or `:PORT` (every interface).
    /// nil when the port is missing or not in 1–65535.
    public init?(listen text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let digits = text[text.index(after: colon)...]
        guard (1...5).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let port = Int(digits), (1...65535).contains(port)
        else { return nil }
        let host = text[..<colon]
        if host.contains(Character(":")) && !(host.hasPrefix("[") && host.hasSuffix("]")) { return nil }
        self.init(host: String(host), port: port)
    }

    /// Whether `endpoint` reaches this address.
    ///
    /// A listener matches by host and port, where every local name (`localhost`, `127.0.0.0/8`,
    /// `::1`, `0.0.0.0`, `::`) counts as one host: excluding a backend that only shares a loopback
    /// port is cheaper than a probe loop. A wildcard listener (`0.0.0.0`, `::`) matches every
    /// local name on its port; the machine's other addresses cannot be known without I/O, which
    /// is what `publicURL` is for. A `publicURL` matches by exact scheme, host and port.
    public func matches(_ endpoint: EndpointURL) -> Bool {
        guard port == endpoint.port else { return false }
        if let scheme { return scheme == endpoint.scheme && host == endpoint.host }
        if host == endpoint.host { return true }
        guard HostSyntax.isLocal(endpoint.host) else { return false }
        return HostSyntax.isWildcard(host) || HostSyntax.isLocal(host)
    }

    public var description: String {
        let bracketed = host.contains(Character(":")) ? "[\(host)]" : host
        guard let scheme else { return "\(bracketed):\(port)" }
        return "\(scheme)://\(bracketed):\(port)"
    }
}
