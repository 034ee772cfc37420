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
    convenience init(caBundle: String?, insecureSkipVerify: Bool) throws(TLSSetupError) {
        try self.init(material: TLSClientMaterial(caFile: caBundle, insecureSkipVerify: insecureSkipVerify))
    }

    /// A context from trust anchors and an optional client identity (the Kubernetes API server's
    /// CA and a kubeconfig's client certificate may come inline, as PEM bytes).
    init(material: TLSClientMaterial) throws(TLSSetupError) {
        LibeventRuntime.initialize()
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSSetupError.drain("cannot create TLS context")
        }
        self.context = context
        self.verifiesPeers = !material.insecureSkipVerify
        _ = maas_ssl_ctx_set_min_tls12(context)
        // OpenSSL 3 reports a peer that closes without close_notify as an error, which would truncate
        // close-delimited bodies (docs/LIBEVENT.md).
        maas_ssl_ctx_set_client_options(context)
        if material.systemRoots {
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw TLSSetupError.drain("cannot load the system CA certificates")
            }
        }
        if let caFile = material.caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw TLSSetupError.drain("cannot load CA bundle \(caFile)")
            }
        }
        if let caPEM = material.caPEM {
            let certificates = PEMObjects.certificates(caPEM)
            guard !certificates.isEmpty else { throw TLSSetupError.drain("no CA certificate in \(material.label)") }
            let store = SSL_CTX_get_cert_store(context)
            for certificate in certificates {
                _ = X509_STORE_add_cert(store, certificate)
                X509_free(certificate)
            }
        }
        if let certificatePEM = material.certificatePEM, let keyPEM = material.keyPEM {
            var chain = PEMObjects.certificates(certificatePEM)
            guard !chain.isEmpty, SSL_CTX_use_certificate(context, chain.removeFirst()) == 1 else {
                throw TLSSetupError.drain("cannot use the client certificate of \(material.label)")
            }
            // Ownership of the extra chain certificates passes to the context.
            for extra in chain { _ = maas_ssl_ctx_add0_chain_cert(context, extra) }
            guard let key = PEMObjects.privateKey(keyPEM), SSL_CTX_use_PrivateKey(context, key) == 1 else {
                throw TLSSetupError.drain("cannot use the client key of \(material.label)")
            }
            EVP_PKEY_free(key)
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw TLSSetupError.drain("the client key of \(material.label) does not match its certificate")
            }
        }
        SSL_CTX_set_verify(context, material.insecureSkipVerify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nil)
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// An `SSL` in connect state for a new connection to `host`, with SNI and the host check set.
    func makeSSL(host: String) -> OpaquePointer? {
        guard let ssl = SSL_new(context) else { return nil }
        let isIPLiteral = host.contains(Character(":")) || host.allSatisfy { $0.isNumber || $0 == "." }
        if isIPLiteral {
            _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            _ = maas_ssl_set_sni(ssl, host)
            _ = SSL_set1_host(ssl, host)
        }
        SSL_set_connect_state(ssl)
        return ssl
    }
}

/// What a client context trusts and presents.
struct TLSClientMaterial: Sendable {
    var caFile: String?
    var caPEM: [UInt8]?
    var certificatePEM: [UInt8]?
    var keyPEM: [UInt8]?
    var systemRoots = true
    var insecureSkipVerify = false
    /// Names the material in errors (a kubeconfig path, "in-cluster").
    var label = "the TLS configuration"
}

/// PEM objects read from memory.
enum PEMObjects {
    /// Every certificate in `pem`, each owned by the caller (`X509_free`).
    static func certificates(_ pem: [UInt8]) -> [OpaquePointer] {
        pem.withUnsafeBytes { raw -> [OpaquePointer] in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return [] }
            defer { BIO_free(bio) }
            var found: [OpaquePointer] = []
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) { found.append(certificate) }
            ERR_clear_error()  // the read that ends the loop leaves "no start line" behind
            return found
        }
    }

    /// The private key in `pem`, owned by the caller (`EVP_PKEY_free`).
    static func privateKey(_ pem: [UInt8]) -> OpaquePointer? {
        pem.withUnsafeBytes { raw -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
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
