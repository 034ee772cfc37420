/// When to try a probe again (SPEC 3.2): at most 4 attempts, waiting 100, 200 and 400 ms before
/// attempts 2, 3 and 4, each stretched by 0–10 % jitter.
public struct RetryPolicy: Hashable, Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The wait before attempt 2, 3, …; the last repeats when there are more attempts.
    public var baseDelays: [Duration]
    /// Each wait is multiplied by `1 + jitterFraction * random`.
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
        // Past the listed delays the last one repeats; no delays at all means retry at once.
        let base: Duration = baseDelays.isEmpty ? .zero : baseDelays[min(attempt - 1, baseDelays.count - 1)]
        let jitter = random.isFinite ? min(max(random, 0), 1) : 0
        let nanoseconds = Double(base.nanosecondsClamped) * (1 + jitterFraction * jitter)
        return .nanoseconds(Int64(min(nanoseconds.rounded(), Double(Int64.max / 2))))
    }
}
