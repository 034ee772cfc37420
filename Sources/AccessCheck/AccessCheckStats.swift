/// What one access check did, for logs and metrics.
public struct AccessCheckStats: Hashable, Sendable {
    /// Probe attempts sent over the transport (retries included).
    public var probesSent = 0
    /// Decisions read from the cache.
    public var cacheHits = 0
    /// Decisions this check had to probe itself (cache misses).
    public var cacheMisses = 0
    /// Decisions awaited from another check's probe (single flight).
    public var coalesced = 0
    /// Misses answered unavailable at once, without a probe, because their origin is down (SPEC 3.2).
    public var refusedDown = 0

    public init(probesSent: Int = 0, cacheHits: Int = 0, cacheMisses: Int = 0, coalesced: Int = 0, refusedDown: Int = 0)
    {
        self.probesSent = probesSent
        self.cacheHits = cacheHits
        self.cacheMisses = cacheMisses
        self.coalesced = coalesced
        self.refusedDown = refusedDown
    }
}
