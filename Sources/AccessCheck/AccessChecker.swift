import Routing
import Synchronization

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

/// The outcome of one access check: a decision per candidate that was decided in time.
public struct AccessCheckResult: Sendable {
    /// Every candidate; those not decided by the deadline are `unavailable`.
    public var decisions: [ModelID: Decision]
    /// The oldest probe decision used (cached or fresh), seconds since 1970; nil when no probe was needed.
    public var oldestDecisionWall: Double?
    public var probesSent: Int
    public var cacheHits: Int
    public var coalesced: Int
}

/// Hears about probes and cache lookups, for metrics and logs (implemented by `MaaSProxy`).
public protocol AccessCheckObserver: Sendable {
    /// One probe ended with a decision after `attempts` attempts taking `latency` in all.
    func probeFinished(model: ModelID, kind: String, outcome: Decision.Outcome, attempts: Int, latency: Duration)
}

/// Decides which candidates a caller may use (SPEC 3, 4): decision cache first, probes on a miss.
///
/// One checker per worker (its transport uses that worker's connections); the cache is shared.
public final class AccessChecker: Sendable {
    let cache: DecisionCache
    let transport: any ProbeTransport
    let digest: any DigestFunction
    private let currentSettings: Mutex<AccessCheckSettings>
    let random: @Sendable () -> Double
    let observer: (any AccessCheckObserver)?
    let builder: ProbeRequestBuilder

    public init(
        cache: DecisionCache,
        transport: any ProbeTransport,
        digest: any DigestFunction,
        settings: AccessCheckSettings,
        random: @escaping @Sendable () -> Double,
        observer: (any AccessCheckObserver)? = nil
    ) {
        self.cache = cache
        self.transport = transport
        self.digest = digest
        self.currentSettings = Mutex(settings)
        self.random = random
        self.observer = observer
        self.builder = ProbeRequestBuilder(version: settings.userAgentVersion)
    }

    /// The settings new checks start with.
    public var settings: AccessCheckSettings { currentSettings.withLock { $0 } }

    /// Replaces the settings for checks started from now on (SIGHUP reload); running checks keep theirs.
    public func update(settings: AccessCheckSettings) {
        currentSettings.withLock { $0 = settings }
    }

    /// Checks `candidates` for `caller` on `scheduler`'s thread (call it from there). `completion`
    /// runs exactly once on that thread, at the latest at the deadline.
    public func check(
        caller: Caller,
        candidates: [Candidate],
        bypassCache: Bool,
        scheduler: any LoopScheduler,
        completion: @escaping @Sendable (AccessCheckResult) -> Void
    ) {
        let run = AccessCheckRun(
            checker: self,
            caller: caller,
            scheduler: scheduler,
            bypassCache: bypassCache,
            completion: completion
        )
        run.start(candidates)
    }

    /// The decision-cache key of `candidate` for a caller's credential digest.
    public func key(for candidate: Candidate, credential: CredentialDigest) -> DecisionKey {
        DecisionKey(credential: credential, model: candidate.model.id, endpoint: candidate.endpoint.description)
    }
}
