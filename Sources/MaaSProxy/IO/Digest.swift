import AccessCheck
import CLibevent
import Glibc

/// SHA-256 through OpenSSL's EVP interface (SPEC 4: cache keys never hold raw credentials).
///
/// The algorithm is fetched once (docs/LIBEVENT.md: 2.3x faster than `EVP_sha256()` per call for short inputs).
final class OpenSSLDigest: DigestFunction, @unchecked Sendable {
    // EVP_MD objects are immutable after fetch and safe to share between threads.
    private let sha256Algorithm: OpaquePointer

    init() {
        LibeventRuntime.initialize()
        sha256Algorithm = EVP_MD_fetch(nil, "SHA256", nil)
    }

    deinit {
        EVP_MD_free(sha256Algorithm)
    }

    func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in _ = sha256(input, into: out) }
        }
        return output
    }

    /// The request path's digest (`CredentialDigest`): input and output in the caller's buffers.
    ///
    /// Still EVP with the fetched algorithm and this thread's context: `SHA256()` fetches the
    /// algorithm on every call in OpenSSL 3 (5 755 instructions for 50 bytes against 2 932), and the
    /// `SHA256_Init` family (2 286) is deprecated (issue 10).
    func sha256(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        precondition(output.count >= 32, "SHA-256 needs 32 bytes")
        // One digest context per thread, reused (docs/LIBEVENT.md): `EVP_Digest` makes and frees one per call.
        let context = DigestContexts.current
        var length: UInt32 = 0
        let ok =
            EVP_DigestInit_ex(context, sha256Algorithm, nil) == 1
            && EVP_DigestUpdate(context, input.baseAddress, input.count) == 1
            && EVP_DigestFinal_ex(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &length) == 1
        precondition(ok && length == 32, "SHA-256 failed")
        return true
    }

    /// HMAC-SHA-256, for log correlation tags keyed per process.
    func hmacSHA256(key: [UInt8], _ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = key.withUnsafeBytes { keyBytes in
            bytes.withUnsafeBytes { input in
                output.withUnsafeMutableBufferPointer { out in
                    HMAC(
                        EVP_sha256(),
                        keyBytes.baseAddress,
                        Int32(keyBytes.count),
                        input.baseAddress,
                        input.count,
                        out.baseAddress,
                        &length
                    )
                }
            }
        }
        return output
    }
}

/// The calling thread's `EVP_MD_CTX`, made on first use and freed when the thread exits.
private enum DigestContexts {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        _ = pthread_key_create(&key) { context in
            EVP_MD_CTX_free(OpaquePointer(context))
        }
        return key
    }()

    static var current: OpaquePointer {
        if let existing = pthread_getspecific(key) { return OpaquePointer(existing) }
        let context = EVP_MD_CTX_new()!
        _ = pthread_setspecific(key, UnsafeRawPointer(context))
        return context
    }
}
