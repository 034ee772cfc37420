/// How the proxy talks to backends (`upstream.*`, SPEC 3.2 and 5.5).
struct UpstreamConfiguration: Sendable, Equatable {
    /// Extra PEM CA certificates trusted besides the system roots (`upstream.caBundle`, `--ca-bundle`).
    /// Read when the upstream TLS context is built; an unreadable bundle is a start-up error there.
    var caBundle: String?
    /// Refuse `http` endpoints (`upstream.httpsOnly`, SPEC 3.1).
    var httpsOnly = false
    /// Skip certificate verification (`upstream.insecureSkipVerify`); for test rigs only.
    var insecureSkipVerify = false
    /// Connecting, TLS handshake included (`upstream.connectTimeout`).
    var connectTimeout: Duration = .seconds(5)
    /// From sending the request to the response head (`upstream.responseTimeout`).
    var responseTimeout: Duration = .seconds(600)
    /// Longest silence while relaying a body (`upstream.idleTimeout`).
    var idleTimeout: Duration = .seconds(300)
}
