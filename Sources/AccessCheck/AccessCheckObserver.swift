import Routing

/// Hears about probes, for metrics and logs (implemented by `MaaSProxy`). Called on the thread of
/// the check's scheduler; keep it cheap.
public protocol AccessCheckObserver: Sendable {
    /// One attempt ended after `latency`: its answer's classification, or nil when it was
    /// abandoned at the deadline.
    func probeAttempted(
        model: ModelID,
        kind: String,
        attempt: Int,
        classification: ProbeClassification?,
        latency: Duration
    )
    /// One probe ended with a decision after `attempts` attempts taking `latency` in all (retry
    /// waits included). Probes that never sent an attempt are not reported.
    func probeFinished(model: ModelID, kind: String, outcome: Decision.Outcome, attempts: Int, latency: Duration)
}

extension AccessCheckObserver {
    /// Default: attempts are not observed.
    public func probeAttempted(
        model: ModelID,
        kind: String,
        attempt: Int,
        classification: ProbeClassification?,
        latency: Duration
    ) {}
}
