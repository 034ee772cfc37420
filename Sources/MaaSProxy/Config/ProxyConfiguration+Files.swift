#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ProxyConfiguration {
    /// The files this configuration names that cannot be read now: the TLS certificate and key,
    /// the upstream CA bundle and the kubeconfig. For `check-config`.
    ///
    /// Not part of `validationProblems()` on purpose: a configuration is valid text whatever the
    /// file system holds, and `serve` reports an unreadable file (with OpenSSL's reason) when it
    /// builds the TLS contexts or the Kubernetes client. Manifests are checked by the catalog.
    func unreadableFiles() -> [ConfigurationProblem] {
        let files: [(key: String, path: String?)] = [
            ("tls.certificate", tls.certificate), ("tls.privateKey", tls.privateKey),
            ("upstream.caBundle", upstream.caBundle), ("usage.credentialIdKeyFile", usage.credentialIdKeyFile),
            ("models.kubernetes.kubeconfig", models.kubernetes.enabled ? models.kubernetes.kubeconfig : nil),
        ]
        return files.compactMap { key, path in
            guard let path, !path.isEmpty, access(path, R_OK) != 0 else { return nil }
            let reason = String(cString: strerror(errno))
            return .invalid(key, "cannot read \(ConfigurationValueError.quoted(path)): \(reason)")
        }
    }
}
