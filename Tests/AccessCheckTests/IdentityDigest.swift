import AccessCheck

/// Returns its input unchanged, so tests can see exactly what would be hashed.
struct IdentityDigest: DigestFunction {
    func sha256(_ bytes: [UInt8]) -> [UInt8] { bytes }
}
