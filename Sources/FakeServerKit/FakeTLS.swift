import CLibevent

/// Serves a fake server (model backend, Kubernetes API server) over TLS, so the proxy's
/// certificate checks can be tested (SPEC 3.2).
///
/// Every accepted connection gets an OpenSSL bufferevent from this context (`evhttp_set_bevcb`).
public final class FakeTLS {
    private let context: OpaquePointer

    /// nil, with a message on stderr, when the certificate or key cannot be loaded.
    public init?(certificate: String, privateKey: String) {
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

    // Each SSL holds its own reference to the context, so freeing ours is safe once no more connections come.
    deinit { SSL_CTX_free(context) }

    public func install(on http: OpaquePointer) {
        evhttp_set_bevcb(http, fakeTLSBuffereventTrampoline, Unmanaged.passUnretained(self).toOpaque())
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

private func fakeTLSBuffereventTrampoline(_ base: OpaquePointer?, _ context: UnsafeMutableRawPointer?) -> OpaquePointer?
{
    guard let base, let context else { return nil }
    return Unmanaged<FakeTLS>.fromOpaque(context).takeUnretainedValue().bufferevent(base: base)
}
