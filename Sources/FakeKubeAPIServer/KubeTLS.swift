import CLibevent

/// Serves the fake API server over TLS: every accepted connection gets an OpenSSL bufferevent from this context
/// (`evhttp_set_bevcb`). Copied from FakeModelServer's `FakeTLS`.
final class KubeTLS {
    private let context: OpaquePointer

    /// nil when the certificate or key cannot be loaded.
    init?(certificate: String, privateKey: String) {
        _ = OPENSSL_init_ssl(0, nil)
        guard let context = SSL_CTX_new(TLS_server_method()) else { return nil }
        guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1,
            SSL_CTX_use_PrivateKey_file(context, privateKey, SSL_FILETYPE_PEM) == 1
        else {
            SSL_CTX_free(context)
            return nil
        }
        self.context = context
    }

    deinit { SSL_CTX_free(context) }

    func install(on http: OpaquePointer) {
        evhttp_set_bevcb(http, kubeTLSBuffereventTrampoline, Unmanaged.passUnretained(self).toOpaque())
    }

    fileprivate func bufferevent(base: OpaquePointer) -> OpaquePointer? {
        guard let ssl = SSL_new(context) else { return nil }
        return bufferevent_openssl_socket_new(
            base,
            -1,
            ssl,
            BUFFEREVENT_SSL_ACCEPTING,
            Int32(BEV_OPT_CLOSE_ON_FREE.rawValue)
        )
    }
}

private func kubeTLSBuffereventTrampoline(_ base: OpaquePointer?, _ context: UnsafeMutableRawPointer?) -> OpaquePointer?
{
    guard let base, let context else { return nil }
    return Unmanaged<KubeTLS>.fromOpaque(context).takeUnretainedValue().bufferevent(base: base)
}
