import Routing

/// The outcome of one access check.
public struct AccessCheckResult: Sendable {
    /// How the decisions are held: a one-model answer from the cache (the forwarding path's
    /// common case) builds no dictionary (issue 10).
    private enum Decisions: Sendable {
        case table([ModelID: Decision])
        case one(ModelID, Decision)
    }

    private var held: Decisions
    /// The oldest probe decision used (cached or fresh), seconds since 1970; nil when no probe was
    /// needed (`X-Access-Checked-At`, SPEC 3.5).
    public var oldestDecisionWall: Double?
    public var stats: AccessCheckStats

    public init(decisions: [ModelID: Decision], oldestDecisionWall: Double?, stats: AccessCheckStats) {
        self.held = .table(decisions)
        self.oldestDecisionWall = oldestDecisionWall
        self.stats = stats
    }

    /// A result for one model.
    public init(model: ModelID, decision: Decision, oldestDecisionWall: Double?, stats: AccessCheckStats) {
        self.held = .one(model, decision)
        self.oldestDecisionWall = oldestDecisionWall
        self.stats = stats
    }

    /// Every candidate: a cached or fresh decision, the probe-less verdict, or `unavailable` when
    /// not decided by the deadline.
    public var decisions: [ModelID: Decision] {
        get {
            switch held {
            case .table(let table): table
            case .one(let model, let decision): [model: decision]
            }
        }
        set { held = .table(newValue) }
    }

    /// `decisions[model]`, without building the dictionary of a one-model result.
    public func decision(for model: ModelID) -> Decision? {
        switch held {
        case .table(let table): table[model]
        case .one(let only, let decision): only == model ? decision : nil
        }
    }

    /// Shorthand for `stats.probesSent`.
    public var probesSent: Int { stats.probesSent }
    /// Shorthand for `stats.cacheHits`.
    public var cacheHits: Int { stats.cacheHits }
    /// Shorthand for `stats.coalesced`.
    public var coalesced: Int { stats.coalesced }
}
