import Synchronization

/// The decision cache shared by every worker (SPEC 4): lifetimes per outcome, single flight, LRU.
///
/// Entry states: missing → probing(waiters) → decided(decision). `lookup` returns what the caller
/// must do; the caller that gets `.miss` owns the probe and must `complete` its ticket exactly once,
/// whatever happens (result, deadline, cancellation), so waiters never hang. Waiters are called
/// outside the lock, on the completing thread: they hop to their own loop themselves.
public final class DecisionCache: Sendable {
    public typealias Waiter = @Sendable (Decision) -> Void

    private enum Entry {
        case probing(ticket: UInt64, waiters: [Waiter])
        case decided(Decision)
    }

    private struct State {
        var entries: [DecisionKey: Entry] = [:]
        var recency = RecencyList<DecisionKey>()
        var nextTicket: UInt64 = 1
        var statistics = CacheStatistics()
    }

    private let state = Mutex(State())
    public let maxEntries: Int

    public init(maxEntries: Int = 100_000) {
        self.maxEntries = max(1, maxEntries)
    }

    /// Looks `key` up at `now`.
    /// - `.hit`: a fresh decision (not when `bypassCache`, the request's `Cache-Control: no-cache`).
    /// - `.coalesced`: another caller is probing; `waiter` will be called once with its decision.
    /// - `.miss`: the caller must probe and then `complete` the ticket.
    public func lookup(
        _ key: DecisionKey,
        now: MonotonicInstant,
        bypassCache: Bool,
        waiter: @escaping Waiter
    )
        -> CacheLookup
    {
        state.withLock { state in
            switch state.entries[key] {
            case .probing(let ticket, var waiters):
                waiters.append(waiter)
                state.entries[key] = .probing(ticket: ticket, waiters: waiters)
                state.statistics.coalesced += 1
                return .coalesced
            case .decided(let decision) where !bypassCache && now < decision.expiresAt:
                state.recency.touch(key)
                state.statistics.hits += 1
                return .hit(decision)
            case .decided, nil:
                state.recency.remove(key)
                let ticket = state.nextTicket
                state.nextTicket += 1
                state.entries[key] = .probing(ticket: ticket, waiters: [])
                state.statistics.misses += 1
                return .miss(ProbeTicket(key: key, id: ticket))
            }
        }
    }

    /// Stores the probe's decision and hands it to every waiter. A ticket whose entry was replaced
    /// meanwhile still releases its own waiters but does not overwrite the newer entry.
    public func complete(_ ticket: ProbeTicket, with decision: Decision) {
        let waiters: [Waiter] = state.withLock { state in
            guard case .probing(let current, let waiters) = state.entries[ticket.key], current == ticket.id else {
                return []
            }
            state.entries[ticket.key] = .decided(decision)
            state.recency.touch(ticket.key)
            while state.recency.count > maxEntries, let oldest = state.recency.removeOldest() {
                state.entries[oldest] = nil
                state.statistics.evictions += 1
            }
            return waiters
        }
        for waiter in waiters { waiter(decision) }
    }

    /// Forgets a decided entry at once (SPEC 4: a backend answered a forwarded call 401/403).
    /// A probe in flight is left alone: its waiters still need its answer.
    public func evict(_ key: DecisionKey) {
        state.withLock { state in
            guard case .decided = state.entries[key] else { return }
            state.entries[key] = nil
            state.recency.remove(key)
        }
    }

    /// Counters for metrics; `size` counts decided entries.
    public var statistics: CacheStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.size = state.recency.count
            return statistics
        }
    }
}

/// What `DecisionCache.lookup` tells the caller to do.
public enum CacheLookup: Sendable {
    case hit(Decision)
    case coalesced
    case miss(ProbeTicket)
}

/// The right and the duty to probe one key and `complete` it.
public struct ProbeTicket: Hashable, Sendable {
    public let key: DecisionKey
    let id: UInt64
}

/// Decision-cache counters (SPEC 6 metrics: lookups by result, size).
public struct CacheStatistics: Hashable, Sendable {
    public var hits = 0
    public var misses = 0
    public var coalesced = 0
    public var evictions = 0
    public var size = 0
}
