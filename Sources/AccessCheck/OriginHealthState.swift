import Routing

/// The health of every backend origin as a plain state machine, without a lock (SPEC 3.2).
///
/// An origin is unknown (no entry), answering (it sent a status, nothing failed since) or down
/// (with the number of consecutive failures, the end of its interval and the trial out, if any).
/// Event methods change the state and return what the caller reports (a transition); they never
/// call out. `OriginHealth` wraps one value in a `Mutex`.
///
/// Which attempt is the trial is told by time, not by a handle: an attempt reports the instant it
/// was sent (`sentAt`), and only a failure sent at or after the trial was granted counts as the
/// trial's. A failure of a request sent before the origin went down is the same outage seen late:
/// it changes nothing (ten requests refused together do not make the interval 2^10 s).
struct OriginHealthState {
    struct Down: Hashable {
        /// Consecutive failures: the first marking, then one per failed trial.
        var failures: Int
        var since: MonotonicInstant
        /// No trial before this.
        var until: MonotonicInstant
        /// When the trial now out was granted; nil when none is out.
        var trialSince: MonotonicInstant?
    }

    private struct Entry {
        /// The last time a request to it received a status.
        var lastAnswer: MonotonicInstant?
        var down: Down?
        /// The last admission asked or report made, for forgetting unused origins.
        var lastUsed: MonotonicInstant
    }

    let policy: OriginHealthPolicy
    private var entries: [BackendOrigin: Entry] = [:]
    private(set) var statistics = OriginHealthStatistics()
    /// New entries since the last sweep of unused ones, and how many make the next sweep (the
    /// entries left by the last one, at least 1024): each sweep is paid for by as many insertions.
    private var insertedSinceSweep = 0
    private var nextSweep = 1024

    init(policy: OriginHealthPolicy = .spec) {
        self.policy = policy
    }

    /// Origins known (answering or down).
    var knownCount: Int { entries.count }

    /// The down state of `origin`, for tests.
    func down(_ origin: BackendOrigin) -> Down? { entries[origin]?.down }

    func standing(of origin: BackendOrigin, at now: MonotonicInstant) -> OriginStanding {
        guard let entry = entries[origin] else { return .unknown }
        guard let down = entry.down else { return entry.lastAnswer == nil ? .unknown : .answering }
        return now < down.until ? .down : .trialDue
    }

    /// Up or unknown: send. Down inside its interval, or with a trial out (and not lost): refuse.
    /// Down past its interval with no trial out: this request is the trial.
    mutating func admit(_ origin: BackendOrigin, at now: MonotonicInstant) -> OriginAdmission {
        guard var entry = entries[origin], var down = entry.down else { return .send }
        entry.lastUsed = now
        defer { entries[origin] = entry }
        if now < down.until { return .refuse(until: down.until) }
        if let trialSince = down.trialSince, now < trialSince + policy.trialLease {
            return .refuse(until: trialSince + policy.trialLease)
        }
        down.trialSince = now
        entry.down = down
        return .trial
    }

    /// A request received a status (any): the origin is up and its interval starts over.
    mutating func answered(_ origin: BackendOrigin, at now: MonotonicInstant) -> OriginTransition? {
        // The common case, an answering origin answering again: updated in place, hashed once
        // (this runs for every forwarded response; issue 10).
        if let index = entries.index(forKey: origin), entries.values[index].down == nil {
            entries.values[index].lastAnswer = now
            entries.values[index].lastUsed = now
            return nil
        }
        var entry = entries[origin] ?? insert(origin, at: now)
        entry.lastAnswer = now
        entry.lastUsed = now
        let transition: OriginTransition?
        if let down = entry.down {
            entry.down = nil
            statistics.down -= 1
            statistics.cameUp += 1
            transition = .cameUp(downFor: now.since(down.since))
        } else {
            transition = nil
        }
        entries[origin] = entry
        return transition
    }

    /// A request sent at `sentAt` failed to reach the origin (connect failure or timeout, TLS
    /// failure, reset before a status): an origin up goes down for the first interval; a failed
    /// trial keeps it down for the next, longer one; anything older is ignored.
    mutating func unreachable(
        _ origin: BackendOrigin,
        sentAt: MonotonicInstant,
        at now: MonotonicInstant,
        reason: String,
        random: Double
    ) -> OriginTransition? {
        var entry = entries[origin] ?? insert(origin, at: now)
        entry.lastUsed = now
        defer { entries[origin] = entry }
        guard var down = entry.down else {
            let interval = policy.interval(afterFailures: 1, random: random)
            entry.down = Down(failures: 1, since: now, until: now + interval, trialSince: nil)
            statistics.down += 1
            statistics.wentDown += 1
            return .wentDown(interval: interval, reason: reason)
        }
        guard let trialSince = down.trialSince, sentAt >= trialSince else { return nil }
        down.failures += 1
        down.until = now + policy.interval(afterFailures: down.failures, random: random)
        down.trialSince = nil
        entry.down = down
        statistics.failedTrials += 1
        return nil
    }

    /// A request sent at `sentAt` had no status by its access check's deadline (a backend that
    /// accepts and never answers). Counts as `unreachable` unless the origin answered another
    /// request since `sentAt`: then it is alive and only this path is slow (one slow model behind
    /// a shared gateway must not take the gateway's other models down).
    mutating func unanswered(
        _ origin: BackendOrigin,
        sentAt: MonotonicInstant,
        at now: MonotonicInstant,
        random: Double
    ) -> OriginTransition? {
        if let entry = entries[origin], entry.down == nil, let lastAnswer = entry.lastAnswer, lastAnswer >= sentAt {
            return nil
        }
        return unreachable(origin, sentAt: sentAt, at: now, reason: "no answer before the deadline", random: random)
    }

    /// A request sent at `sentAt` ended without telling anything about the origin (its client
    /// left, an answer that is not HTTP, a timeout that is not a connect timeout): when it was the
    /// trial, the slot is free for the next request.
    mutating func released(_ origin: BackendOrigin, sentAt: MonotonicInstant) {
        guard var entry = entries[origin], var down = entry.down, let trialSince = down.trialSince,
            sentAt >= trialSince
        else { return }
        down.trialSince = nil
        entry.down = down
        entries[origin] = entry
    }

    /// A new entry, after forgetting unused ones once enough were added (amortised O(1)).
    private mutating func insert(_ origin: BackendOrigin, at now: MonotonicInstant) -> Entry {
        insertedSinceSweep += 1
        if insertedSinceSweep >= nextSweep {
            insertedSinceSweep = 0
            forgetUnused(at: now)
            nextSweep = max(1024, entries.count)
        }
        return Entry(lastAnswer: nil, down: nil, lastUsed: now)
    }

    /// Drops origins nobody asked about for `policy.forgetAfter`: they become unknown again (a
    /// model removed from the catalog must not keep its origin in memory or in the down gauge).
    mutating func forgetUnused(at now: MonotonicInstant) {
        let limit = policy.forgetAfter
        let stale = entries.filter { now.since($0.value.lastUsed) >= limit }
        for (origin, entry) in stale {
            entries[origin] = nil
            if entry.down != nil { statistics.down -= 1 }
        }
    }
}
