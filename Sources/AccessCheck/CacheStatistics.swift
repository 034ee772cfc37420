/// Decision-cache counters (SPEC 6 metrics: lookups by result, size).
public struct CacheStatistics: Hashable, Sendable {
    public var hits = 0
    public var misses = 0
    public var coalesced = 0
    /// Decided entries dropped for space (LRU).
    public var evictions = 0
    /// Entries forgotten through `evict` (revocations).
    public var invalidations = 0
    /// `complete` calls on tickets that no longer owned their key (a bug in a caller if non-zero).
    public var staleCompletions = 0
    /// Decided entries held now.
    public var size = 0
    /// Keys being probed now.
    public var probing = 0

    /// All zero.
    public init() {}
}
