import CLibevent

/// The client-side `SSL_CTX` for upstream HTTPS (probes and forwarded calls, SPEC 3.2).
///
/// Verifies peers against the system roots plus an optional CA bundle; each connection gets SNI and
/// a host-name (or IP) check. Immutable after `init`, and OpenSSL allows sharing a configured
/// `SSL_CTX` between threads, so one instance serves every worker.
final class UpstreamTLSContext: @unchecked Sendable {
    private let context: OpaquePointer
    let verifiesPeers: Bool

    /// - Parameters:
    ///   - caBundle: a PEM file added to the system roots; unreadable or invalid is an error.
    ///   - insecureSkipVerify: development only; the caller logs it loudly.
    init(caBundle: String?, insecureSkipVerify: Bool) throws(TLSSetupError) {
        LibeventRuntime.initialize()
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSSetupError.drain("cannot create TLS context")
        }
        self.context = context
        self.verifiesPeers = !insecureSkipVerify
        _ = maas_ssl_ctx_set_min_tls12(context)
        // OpenSSL 3 reports a peer that closes without close_notify as an error, which would truncate
        // close-delimited bodies (LIBEVENT.md).
        maas_ssl_ctx_set_client_options(context)
        guard SSL_CTX_set_default_verify_paths(context) == 1 else {
            throw TLSSetupError.drain("cannot load the system CA certificates")
        }
        if let caBundle {
            guard SSL_CTX_load_verify_locations(context, caBundle, nil) == 1 else {
                throw TLSSetupError.drain("cannot load CA bundle \(caBundle)")
            }
        }
        SSL_CTX_set_verify(context, insecureSkipVerify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nil)
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// A TLS bufferevent for a new connection to `host` on `loop`, with SNI and the host check set.
    func makeBufferevent(loop: EventLoop, host: String) -> OpaquePointer? {
        guard let ssl = SSL_new(context) else { return nil }
        let isIPLiteral = host.contains(Character(":")) || host.allSatisfy { $0.isNumber || $0 == "." }
        if isIPLiteral {
            _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            _ = maas_ssl_set_sni(ssl, host)
            _ = SSL_set1_host(ssl, host)
        }
        let options = Int32(BEV_OPT_CLOSE_ON_FREE.rawValue | BEV_OPT_DEFER_CALLBACKS.rawValue)
        guard let bev = bufferevent_openssl_socket_new(loop.base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, options) else {
            SSL_free(ssl)
            return nil
        }
        bufferevent_openssl_set_allow_dirty_shutdown(bev, 1)
        return bev
    }
}

/// A TLS set-up failure, with OpenSSL's own reason appended.
struct TLSSetupError: Error, CustomStringConvertible {
    var description: String

    /// Builds the error and drains OpenSSL's error queue into it.
    static func drain(_ message: String) -> TLSSetupError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [UInt8](repeating: 0, count: 256)
            buffer.withUnsafeMutableBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            }
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self))
        }
        return TLSSetupError(description: reasons.isEmpty ? message : "\(message): \(reasons.joined(separator: "; "))")
    }
}
