/// When to try a probe again (SPEC 3.2): at most 4 attempts, waiting 100, 200 and 400 ms before
/// attempts 2, 3 and 4, each stretched by 0–10 % jitter.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelays: [Duration]
    public var jitterFraction: Double

    public static let spec = RetryPolicy(
        maxAttempts: 4,
        baseDelays: [.milliseconds(100), .milliseconds(200), .milliseconds(400)],
        jitterFraction: 0.1
    )

    public init(maxAttempts: Int, baseDelays: [Duration], jitterFraction: Double) {
        self.maxAttempts = maxAttempts
        self.baseDelays = baseDelays
        self.jitterFraction = jitterFraction
    }

    /// The wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed; nil when no
    /// attempt is left. `random` is uniform in [0, 1).
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration? {
        guard attempt >= 1, attempt < maxAttempts else { return nil }
        let base = baseDelays[min(attempt - 1, baseDelays.count - 1)]
        let factor = 1 + jitterFraction * min(max(random, 0), 1)
        return .nanoseconds(Int64((Double(base.nanosecondsClamped) * factor).rounded()))
    }
}
