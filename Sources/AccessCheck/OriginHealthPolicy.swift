/// How long an origin stays down (SPEC 3.2: a growing, jittered interval of about 1 s up to 30 s).
public struct OriginHealthPolicy: Hashable, Sendable {
    /// The interval after the first failure.
    public var baseInterval: Duration
    /// The interval doubles with every failed trial up to this.
    public var maxInterval: Duration
    /// Each interval is shortened by `jitterFraction * random` (so it never exceeds `maxInterval`,
    /// and origins that failed together do not retry together).
    public var jitterFraction: Double
    /// A trial that reported nothing for this long is taken as lost: another request may try.
    public var trialLease: Duration
    /// An origin nobody used for this long is forgotten (the registry stays bounded by what is in use).
    public var forgetAfter: Duration

    public static let spec = OriginHealthPolicy(
        baseInterval: .seconds(1),
        maxInterval: .seconds(30),
        jitterFraction: 0.2,
        trialLease: .seconds(30),
        forgetAfter: .seconds(600)
    )

    public init(
        baseInterval: Duration,
        maxInterval: Duration,
        jitterFraction: Double,
        trialLease: Duration,
        forgetAfter: Duration
    ) {
        self.baseInterval = max(baseInterval, .zero)
        self.maxInterval = max(maxInterval, self.baseInterval)
        self.jitterFraction = jitterFraction.isFinite ? min(max(jitterFraction, 0), 1) : 0
        self.trialLease = max(trialLease, .zero)
        self.forgetAfter = max(forgetAfter, .zero)
    }

    /// How long an origin stays down after its `failures`-th consecutive failure (1-based):
    /// `base * 2^(failures-1)`, capped at `maxInterval`, minus up to `jitterFraction` of it.
    /// `random` is uniform in [0, 1).
    public func interval(afterFailures failures: Int, random: Double) -> Duration {
        let cap = Double(maxInterval.nanosecondsClamped)
        var nanoseconds = Double(baseInterval.nanosecondsClamped)
        var doublings = max(failures, 1) - 1
        while doublings > 0 && nanoseconds < cap {
            nanoseconds *= 2
            doublings -= 1
        }
        nanoseconds = min(nanoseconds, cap)
        let jitter = random.isFinite ? min(max(random, 0), 1) : 0
        nanoseconds *= 1 - jitterFraction * jitter
        return .nanoseconds(Int64(min(nanoseconds.rounded(), Double(Int64.max / 2))))
    }
}
