/// TLS termination on the listeners (`tls.*`, SPEC 6): both files or neither.
///
/// Paths only: the files are read (and their errors reported) when the listeners start.
struct TLSConfiguration: Sendable, Equatable {
    /// PEM certificate chain (`tls.certificate`, `--tls-cert`).
    var certificate: String?
    /// PEM private key (`tls.privateKey`, `--tls-key`).
    var privateKey: String?

    /// True when the listeners terminate TLS; plain HTTP otherwise.
    var isEnabled: Bool { certificate != nil && privateKey != nil }
}
