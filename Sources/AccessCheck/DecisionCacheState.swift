/// The decision cache's entries as a plain state machine, without a lock (SPEC 4).
///
/// Each key is missing, `probing` (one prober holds a ticket; waiters queue behind it) or
/// `decided`. Event methods change the state and return what the caller must do next; they never
/// call out. `DecisionCache` wraps one value in a `Mutex` and performs the returned actions (calls
/// the waiters) after unlocking.
struct DecisionCacheState<Waiter> {
    private enum Entry {
        /// `evicted`: `evict` was called while the probe was in flight, so its answer may predate
        /// a revocation; it is handed to the waiters but not stored.
        case probing(ticket: UInt64, waiters: [Waiter], evicted: Bool)
        case decided(Decision)
    }

    private var entries: [DecisionKey: Entry] = [:]
    /// Decided keys only: entries being probed are never evicted for space.
    private var recency = RecencyList<DecisionKey>()
    private var nextTicket: UInt64 = 1
    let maxEntries: Int
    private(set) var statistics = CacheStatistics()

    init(maxEntries: Int) {
        self.maxEntries = max(1, maxEntries)
    }

    /// Decided entries held (fresh or expired but not yet replaced).
    var decidedCount: Int { recency.count }
    /// Keys being probed right now.
    var probingCount: Int { entries.count - recency.count }

    /// The fresh decisions of every key, counted as hits; nil (and nothing counted or touched)
    /// when any key is missing, expired or being probed.
    mutating func freshDecisions(_ keys: [DecisionKey], now: MonotonicInstant) -> [Decision]? {
        var decisions: [Decision] = []
        decisions.reserveCapacity(keys.count)
        for key in keys {
            guard case .decided(let decision) = entries[key], now < decision.expiresAt else { return nil }
            decisions.append(decision)
        }
        for key in keys { recency.touch(key) }
        statistics.hits += keys.count
        return decisions
    }

    /// `freshDecisions` for one key, without the arrays.
    mutating func freshDecision(_ key: DecisionKey, now: MonotonicInstant) -> Decision? {
        guard case .decided(let decision) = entries[key], now < decision.expiresAt else { return nil }
        recency.touch(key)
        statistics.hits += 1
        return decision
    }

    /// A fresh decided entry is a hit unless `bypassCache`; a probe in flight is joined even when
    /// bypassing (its answer is newer than anything cached); anything else starts a probe.
    mutating func lookup(
        _ key: DecisionKey,
        now: MonotonicInstant,
        bypassCache: Bool,
        waiter: Waiter
    )
        -> CacheLookup
    {
        switch entries[key] {
        case .probing(let ticket, var waiters, let evicted):
            waiters.append(waiter)
            entries[key] = .probing(ticket: ticket, waiters: waiters, evicted: evicted)
            statistics.coalesced += 1
            return .coalesced
        case .decided(let decision) where !bypassCache && now < decision.expiresAt:
            recency.touch(key)
            statistics.hits += 1
            return .hit(decision)
        case .decided, nil:
            recency.remove(key)
            let ticket = ProbeTicket(key: key, id: nextTicket)
            nextTicket += 1
            entries[key] = .probing(ticket: ticket.id, waiters: [], evicted: false)
            statistics.misses += 1
            return .miss(ticket)
        }
    }

    /// Ends the probe of `ticket`: stores `decision` (unless `store` is false or the key was
    /// evicted meanwhile, which leave it missing), evicts the least recently used decided entries
    /// beyond `maxEntries`, and returns the waiters to call with `decision`.
    ///
    /// A ticket that no longer owns its key (completed before) changes nothing and returns no
    /// waiters: a key's waiters always belong to the ticket currently probing it.
    mutating func complete(_ ticket: ProbeTicket, with decision: Decision, store: Bool) -> [Waiter] {
        guard case .probing(let current, let waiters, let evicted) = entries[ticket.key], current == ticket.id else {
            statistics.staleCompletions += 1
            return []
        }
        if evicted || !store {
            entries[ticket.key] = nil
            return waiters
        }
        entries[ticket.key] = .decided(decision)
        recency.touch(ticket.key)
        while recency.count > maxEntries, let oldest = recency.removeOldest() {
            entries[oldest] = nil
            statistics.evictions += 1
        }
        return waiters
    }

    /// Forgets `key` at once (SPEC 4: a forwarded call was answered 401/403). A probe in flight
    /// keeps its waiters but its answer will not be stored.
    mutating func evict(_ key: DecisionKey) {
        switch entries[key] {
        case .decided:
            entries[key] = nil
            recency.remove(key)
            statistics.invalidations += 1
        case .probing(let ticket, let waiters, _):
            entries[key] = .probing(ticket: ticket, waiters: waiters, evicted: true)
            statistics.invalidations += 1
        case nil:
            break
        }
    }
}
