/// Settings of one access check (SPEC 3.2, 4).
public struct AccessCheckSettings: Sendable {
    /// Bound on all probes of one request; at least 1 s.
    public var deadline: Duration
    /// Probes in flight for one check.
    public var concurrency: Int
    public var lifetimes: DecisionLifetimes
    public var maxProbeBodyBytes: Int
    public var userAgentVersion: String
    public var retry: RetryPolicy

    public init(
        deadline: Duration = .seconds(15),
        concurrency: Int = 10,
        lifetimes: DecisionLifetimes = DecisionLifetimes(),
        maxProbeBodyBytes: Int = 4 * 1024 * 1024,
        userAgentVersion: String,
        retry: RetryPolicy = .spec
    ) {
        self.deadline = max(deadline, .seconds(1))
        self.concurrency = max(1, concurrency)
        self.lifetimes = lifetimes
        self.maxProbeBodyBytes = maxProbeBodyBytes
        self.userAgentVersion = userAgentVersion
        self.retry = retry
    }
}
