/// Counters of `OriginHealth`, for metrics.
public struct OriginHealthStatistics: Hashable, Sendable {
    /// Origins down now.
    public var down = 0
    /// Transitions so far (running totals).
    public var wentDown = 0
    public var cameUp = 0
    /// Trials that failed (the origin stayed down for a longer interval).
    public var failedTrials = 0
    /// Origins known (answering or down).
    public var known = 0

    public init() {}
}
