/// The product version, sent in the probe's `User-Agent` (SPEC 3.2) and printed by `version`.
enum MaaSProxyVersion {
    static let current = "0.1.0"
}
