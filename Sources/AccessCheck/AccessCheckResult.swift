import Routing

/// The outcome of one access check.
public struct AccessCheckResult: Sendable {
    /// Every candidate: a cached or fresh decision, the probe-less verdict, or `unavailable` when
    /// not decided by the deadline.
    public var decisions: [ModelID: Decision]
    /// The oldest probe decision used (cached or fresh), seconds since 1970; nil when no probe was
    /// needed (`X-Access-Checked-At`, SPEC 3.5).
    public var oldestDecisionWall: Double?
    public var stats: AccessCheckStats

    public init(decisions: [ModelID: Decision], oldestDecisionWall: Double?, stats: AccessCheckStats) {
        self.decisions = decisions
        self.oldestDecisionWall = oldestDecisionWall
        self.stats = stats
    }

    /// Shorthand for `stats.probesSent`.
    public var probesSent: Int { stats.probesSent }
    /// Shorthand for `stats.cacheHits`.
    public var cacheHits: Int { stats.cacheHits }
    /// Shorthand for `stats.coalesced`.
    public var coalesced: Int { stats.coalesced }
}
