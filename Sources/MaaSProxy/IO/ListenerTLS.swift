import CLibevent
import Foundation
import Synchronization

/// The listeners' server-side TLS (SPEC 6): TLS 1.2+, modern suites, one certificate chain and key.
///
/// The `SSL_CTX` is replaced whole when the files change (cert-manager rotates them): connections
/// already accepted keep the context they started with (OpenSSL reference-counts it per `SSL`), new
/// ones get the new certificate, nothing is dropped. Shared by every worker; `reload` may run on any
/// thread.
final class ListenerTLS: @unchecked Sendable {
    let certificatePath: String
    let privateKeyPath: String
    private let context: Mutex<ContextHandle>

    /// Loads and checks the pair; a missing, unreadable or mismatched file is an error naming it.
    init(certificate: String, privateKey: String) throws(TLSSetupError) {
        LibeventRuntime.initialize()
        certificatePath = certificate
        privateKeyPath = privateKey
        context = Mutex(try ListenerTLS.makeContext(certificate: certificate, privateKey: privateKey))
    }

    /// Loads the files again and serves them to new connections; on failure the current pair stays.
    func reload() throws(TLSSetupError) {
        let fresh = try ListenerTLS.makeContext(certificate: certificatePath, privateKey: privateKeyPath)
        context.withLock { $0 = fresh }
    }

    /// The identities of both files, to notice a rotation.
    var fileSignatures: [FileSignature?] { [FileSignature.of(certificatePath), FileSignature.of(privateKeyPath)] }

    /// An `SSL` in accept state for a connection just accepted, with the current certificate.
    func makeSSL() -> OpaquePointer? {
        guard let ssl = context.withLock({ SSL_new($0.pointer) }) else { return nil }
        SSL_set_accept_state(ssl)
        return ssl
    }

    private static func makeContext(certificate: String, privateKey: String) throws(TLSSetupError) -> ContextHandle {
        for (path, what) in [(certificate, "TLS certificate"), (privateKey, "TLS private key")]
        where !FileManager.default.isReadableFile(atPath: path) {
            throw TLSSetupError(description: "cannot read \(what) \(path): missing or unreadable")
        }
        ERR_clear_error()
        guard let pointer = SSL_CTX_new(TLS_server_method()) else {
            throw TLSSetupError.drain("cannot create the listener TLS context")
        }
        let handle = ContextHandle(pointer)
        guard maas_ssl_ctx_configure_server(pointer) == 1 else {
            throw TLSSetupError.drain("cannot configure the listener TLS context")
        }
        guard SSL_CTX_use_certificate_chain_file(pointer, certificate) == 1 else {
            throw TLSSetupError.drain("cannot load TLS certificate \(certificate)")
        }
        guard SSL_CTX_use_PrivateKey_file(pointer, privateKey, SSL_FILETYPE_PEM) == 1 else {
            throw TLSSetupError.drain("cannot load TLS private key \(privateKey)")
        }
        guard SSL_CTX_check_private_key(pointer) == 1 else {
            throw TLSSetupError.drain("TLS private key \(privateKey) does not match certificate \(certificate)")
        }
        return handle
    }
}

/// Owns one `SSL_CTX` reference.
private final class ContextHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { SSL_CTX_free(pointer) }
}
