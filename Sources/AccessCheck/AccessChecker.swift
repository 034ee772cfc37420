import Routing
import Synchronization

/// Decides which candidates a caller may use (SPEC 3, 4): decision cache first, probes on a miss.
///
/// One checker per worker (its transport uses that worker's connections); the cache is shared by
/// all. The checker itself holds no per-check state: each `check` runs as an `AccessCheckRun`
/// confined to the scheduler it was given.
public final class AccessChecker: Sendable {
    let cache: DecisionCache
    let transport: any ProbeTransport
    let digest: any DigestFunction
    private let currentSettings: Mutex<AccessCheckSettings>
    let random: @Sendable () -> Double
    let observer: (any AccessCheckObserver)?
    /// Backend health shared by every worker (SPEC 3.2); nil checks without it (every origin up).
    let health: OriginHealth?

    public init(
        cache: DecisionCache,
        transport: any ProbeTransport,
        digest: any DigestFunction,
        settings: AccessCheckSettings,
        random: @escaping @Sendable () -> Double,
        observer: (any AccessCheckObserver)? = nil,
        health: OriginHealth? = nil
    ) {
        self.cache = cache
        self.transport = transport
        self.digest = digest
        self.currentSettings = Mutex(settings)
        self.random = random
        self.observer = observer
        self.health = health
    }

    /// The settings new checks start with.
    public var settings: AccessCheckSettings { currentSettings.withLock { $0 } }

    /// Replaces the settings for checks started from now on (SIGHUP reload); running checks keep theirs.
    public func update(settings: AccessCheckSettings) {
        currentSettings.withLock { $0 = settings }
    }

    /// Checks `candidates` for `caller`. Call it on `scheduler`'s thread; the whole check runs there.
    ///
    /// Probe-less kinds are decided without contact (granted iff Ready, not cached); the others
    /// come from the cache, from another check's probe in flight, or from a probe of our own, at
    /// most `settings.concurrency` at a time. `completion` runs exactly once, on that thread, at
    /// the latest at the deadline — before `check` returns when nothing had to be awaited.
    ///
    /// - Parameter credential: the caller's `credentialDigest(of:)` when the caller kept it (a
    ///   connection's next request from the same caller); computed here otherwise.
    public func check(
        caller: Caller,
        credential: CredentialDigest? = nil,
        candidates: [Candidate],
        bypassCache: Bool,
        scheduler: any LoopScheduler,
        completion: @escaping @Sendable (AccessCheckResult) -> Void
    ) {
        if !bypassCache,
            let result = cachedResult(
                caller: caller,
                credential: credential,
                candidates: candidates,
                scheduler: scheduler
            )
        {
            return completion(result)
        }
        let run = AccessCheckRun(
            checker: self,
            caller: caller,
            scheduler: scheduler,
            bypassCache: bypassCache,
            completion: completion
        )
        run.start(candidates)
    }

    /// The whole answer from the cache, without the bookkeeping of a run: the common case on the
    /// forwarding path (one model, decided seconds ago). Nil when anything needs a probe.
    private func cachedResult(
        caller: Caller,
        credential known: CredentialDigest?,
        candidates: [Candidate],
        scheduler: any LoopScheduler
    )
        -> AccessCheckResult?
    {
        // One model with a probe: no arrays, no dictionary (issue 10).
        if candidates.count == 1, case let candidate = candidates[0], candidate.hasProbe {
            guard let decision = cachedDecision(for: candidate, caller: caller, credential: known, now: scheduler.now)
            else { return nil }
            return AccessCheckResult(
                model: candidate.id,
                decision: decision,
                oldestDecisionWall: decision.decidedAtWall,
                stats: AccessCheckStats(cacheHits: 1)
            )
        }
        let now = scheduler.now
        let probed = candidates.filter(\.hasProbe)
        var fresh: [Decision] = []
        if !probed.isEmpty {
            let credential = known ?? CredentialDigest(caller: caller, digest: digest)
            guard let found = cache.freshDecisions(probed.map { key(for: $0, credential: credential) }, now: now)
            else { return nil }
            fresh = found
        }
        var decisions: [ModelID: Decision] = [:]
        decisions.reserveCapacity(candidates.count)
        var oldest: Double?
        for (candidate, decision) in zip(probed, fresh) {
            decisions[candidate.id] = decision
            oldest = min(oldest ?? decision.decidedAtWall, decision.decidedAtWall)
        }
        for candidate in candidates where !candidate.hasProbe {
            decisions[candidate.id] = Decision.withoutProbe(candidate, at: scheduler)
        }
        return AccessCheckResult(
            decisions: decisions,
            oldestDecisionWall: oldest,
            stats: AccessCheckStats(cacheHits: fresh.count)
        )
    }

    /// The fresh cached decision of one probed `candidate` for `caller`, counted as a hit: what
    /// `check` would complete with at once, without a run or a completion (the forwarding path's
    /// usual case, issue 10). Nil when a check is needed: nothing fresh is cached, or `candidate`
    /// has no probe (`check` decides those).
    ///
    /// - Parameter credential: the caller's `credentialDigest(of:)` when the caller kept it.
    public func cachedDecision(
        for candidate: Candidate,
        caller: Caller,
        credential known: CredentialDigest?,
        now: MonotonicInstant
    ) -> Decision? {
        guard candidate.hasProbe else { return nil }
        let credential = known ?? CredentialDigest(caller: caller, digest: digest)
        return cache.freshDecision(DecisionKey(credential: credential, candidate: candidate), now: now)
    }

    /// The decision-cache digest of `caller`'s credential (SPEC 4), for a caller that keeps it
    /// across requests (`check(caller:credential:…)`).
    public func credentialDigest(of caller: Caller) -> CredentialDigest {
        CredentialDigest(caller: caller, digest: digest)
    }

    /// Forgets the caller's decision for `candidate` (SPEC 4: a backend answered a forwarded call
    /// with 401 or 403, so the next request probes again).
    public func evictDecision(for candidate: Candidate, caller: Caller) {
        cache.evict(key(for: candidate, credential: CredentialDigest(caller: caller, digest: digest)))
    }

    /// The decision-cache key of `candidate` for a caller's credential digest.
    public func key(for candidate: Candidate, credential: CredentialDigest) -> DecisionKey {
        DecisionKey(credential: credential, candidate: candidate)
    }
}
