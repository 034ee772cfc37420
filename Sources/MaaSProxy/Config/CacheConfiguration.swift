/// Lifetimes and bound of the decision cache (`cache.*`, SPEC 4).
struct CacheConfiguration: Sendable, Equatable {
    /// How long a granted decision is reused (`cache.ttl`, `--cache-ttl`).
    var ttl: Duration = .seconds(60)
    /// How long a denied decision is reused (`cache.deniedTTL`).
    var deniedTTL: Duration = .seconds(10)
    /// How long an unavailable decision is reused (`cache.unavailableTTL`).
    var unavailableTTL: Duration = .seconds(2)
    /// Decisions kept at most, least recently used evicted (`cache.maxEntries`); at least 1.
    var maxEntries = 100_000
}
