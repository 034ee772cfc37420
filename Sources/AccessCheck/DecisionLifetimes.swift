/// How long each outcome is reused (SPEC 4; all configurable).
public struct DecisionLifetimes: Hashable, Sendable {
    public var granted: Duration
    public var denied: Duration
    public var unavailable: Duration

    public init(granted: Duration = .seconds(60), denied: Duration = .seconds(10), unavailable: Duration = .seconds(2))
    {
        self.granted = granted
        self.denied = denied
        self.unavailable = unavailable
    }

    public func lifetime(of outcome: Decision.Outcome) -> Duration {
        switch outcome {
        case .granted: granted
        case .denied: denied
        case .unavailable: unavailable
        }
    }

    /// A decision for `outcome` made now.
    public func decision(_ outcome: Decision.Outcome, at scheduler: any LoopScheduler) -> Decision {
        Decision(
            outcome: outcome,
            decidedAtWall: scheduler.wallClockSeconds,
            expiresAt: scheduler.now + lifetime(of: outcome)
        )
    }
}
