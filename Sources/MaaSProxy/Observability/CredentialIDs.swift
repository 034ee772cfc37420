import AccessCheck
import Foundation

/// The access line's `credentialId` (SPEC 7): the first 16 hex digits of HMAC-SHA-256 of the
/// trimmed `Authorization` value, so usage can be summed per caller without logging who it is.
///
/// Keyed by `usage.credentialIdKeyFile` (stable across restarts and replicas) or by a random key
/// made at start (ids then hold for this process only). Neither the credential nor its length
/// can be read back from an id.
final class CredentialIDs: Sendable {
    private let key: [UInt8]
    private let digest: OpenSSLDigest

    init(key: [UInt8], digest: OpenSSLDigest) {
        self.key = key
        self.digest = digest
    }

    /// The key from `usage.credentialIdKeyFile`, or a random one when it is unset.
    /// - Throws: `ConfigurationError` naming the key when the file is unreadable or empty.
    convenience init(configuration: UsageConfiguration, digest: OpenSSLDigest) throws(ConfigurationError) {
        guard let path = configuration.credentialIdKeyFile else {
            var generator = SystemRandomNumberGenerator()
            self.init(key: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }, digest: digest)
            return
        }
        func refuse(_ reason: String) -> ConfigurationError {
            ConfigurationError(problems: [
                .invalid("usage.credentialIdKeyFile", "\(ConfigurationValueError.quoted(path)) \(reason)")
            ])
        }
        guard let contents = FileManager.default.contents(atPath: path) else { throw refuse("cannot be read") }
        var key = [UInt8](contents)
        // The newline an editor or `echo` leaves is not part of the key.
        if key.last == UInt8(ascii: "\n") { key.removeLast() }
        if key.last == UInt8(ascii: "\r") { key.removeLast() }
        guard !key.isEmpty else { throw refuse("is empty") }
        self.init(key: key, digest: digest)
    }

    /// The id of the caller whose `Authorization` value is `credential`.
    func id(for credential: Credential) -> String {
        let mac = digest.hmacSHA256(key: key, Array(credential.value.utf8))
        return String(unsafeUninitializedCapacity: 16) { buffer in
            let hex = Array("0123456789abcdef".utf8)
            for index in 0..<8 {
                buffer[2 * index] = hex[Int(mac[index] >> 4)]
                buffer[2 * index + 1] = hex[Int(mac[index] & 0x0F)]
            }
            return 16
        }
    }
}
