import Synchronization

/// The decision cache shared by every worker (SPEC 4): lifetimes per outcome, single flight, LRU.
///
/// Entry states: missing → probing(waiters) → decided(decision) (see `DecisionCacheState`).
/// Safe to use from any thread; every method takes the lock briefly and never calls out while
/// holding it.
///
/// Single-flight contract: the caller that gets `.miss` owns the probe and must `complete` its
/// ticket exactly once (or `abandon` it), whatever happens (answer, retries exhausted, deadline),
/// so that waiters never hang. `AccessChecker` completes at the latest at its own deadline. Waiters are called
/// once, outside the lock, on the completing thread: each wraps itself to hop to its own loop.
public final class DecisionCache: Sendable {
    public typealias Waiter = @Sendable (Decision) -> Void

    private let state: Mutex<DecisionCacheState<Waiter>>
    /// Decided entries kept at most; the least recently used beyond it are dropped.
    public let maxEntries: Int

    public init(maxEntries: Int = 100_000) {
        let state = DecisionCacheState<Waiter>(maxEntries: maxEntries)
        self.maxEntries = state.maxEntries
        self.state = Mutex(state)
    }

    /// Looks `key` up at `now`.
    /// - `.hit`: a fresh decision (not when `bypassCache`, the request's `Cache-Control: no-cache`).
    /// - `.coalesced`: another caller is probing (joined even when bypassing); `waiter` will be
    ///   called once with its decision, on the thread that completes the probe.
    /// - `.miss`: the caller must probe and then `complete` the ticket. Expired entries are misses.
    public func lookup(
        _ key: DecisionKey,
        now: MonotonicInstant,
        bypassCache: Bool,
        waiter: @escaping Waiter
    )
        -> CacheLookup
    {
        state.withLock { $0.lookup(key, now: now, bypassCache: bypassCache, waiter: waiter) }
    }

    /// Every key's fresh decision, in order, as hits; nil when any key needs a probe (then nothing
    /// is counted: the caller goes on with `lookup`). One lock for the whole set.
    public func freshDecisions(_ keys: [DecisionKey], now: MonotonicInstant) -> [Decision]? {
        state.withLock { $0.freshDecisions(keys, now: now) }
    }

    /// `freshDecisions` for one key: its fresh decision as a hit, or nil (nothing counted).
    public func freshDecision(_ key: DecisionKey, now: MonotonicInstant) -> Decision? {
        state.withLock { $0.freshDecision(key, now: now) }
    }

    /// Stores the probe's decision and calls every waiter with it, after unlocking. When the key
    /// was evicted during the probe, the waiters still get the decision but it is not stored. A
    /// ticket completed a second time changes nothing.
    public func complete(_ ticket: ProbeTicket, with decision: Decision) {
        let waiters = state.withLock { $0.complete(ticket, with: decision, store: true) }
        for waiter in waiters { waiter(decision) }
    }

    /// Gives up a probe that never ran (its check hit the deadline first): the waiters get
    /// `decision` for their response, and the key is left missing so the next lookup probes.
    public func abandon(_ ticket: ProbeTicket, with decision: Decision) {
        let waiters = state.withLock { $0.complete(ticket, with: decision, store: false) }
        for waiter in waiters { waiter(decision) }
    }

    /// Forgets the decision for `key` at once (SPEC 4: a backend answered a forwarded call 401 or
    /// 403). A probe in flight keeps its waiters, but its answer is not stored.
    public func evict(_ key: DecisionKey) {
        state.withLock { $0.evict(key) }
    }

    /// Counters for metrics; `size` counts decided entries, `probing` the keys being probed.
    public var statistics: CacheStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.size = state.decidedCount
            statistics.probing = state.probingCount
            return statistics
        }
    }
}
