import Routing
import Synchronization

/// Backend health shared by every worker and every caller (SPEC 3.2).
///
/// A connect failure or timeout, a TLS failure, a reset before a status, or a probe still
/// unanswered at its access check's deadline marks the origin down for a growing, jittered,
/// capped interval (`OriginHealthPolicy`); while down, `admit` refuses — probes are unavailable
/// and forwarded calls `502` at once, without network traffic — except one trial at a time once
/// the interval has passed. Any status received marks it up again. See `OriginHealthState`.
///
/// Safe from any thread: every method takes the lock briefly and calls `onTransition` after
/// unlocking. `admit` skips the lock while no origin is down (the forwarding path's common case).
public final class OriginHealth: Sendable {
    public typealias TransitionObserver = @Sendable (BackendOrigin, OriginTransition) -> Void

    private let state: Mutex<OriginHealthState>
    /// Mirrors the state's down count, written under the lock, read without it.
    private let downOrigins = Atomic<Int>(0)
    private let random: @Sendable () -> Double
    private let onTransition: TransitionObserver?
    public let policy: OriginHealthPolicy

    /// - Parameters:
    ///   - random: uniform in [0, 1), for the intervals' jitter.
    ///   - onTransition: hears every up→down and down→up change (logs), outside the lock.
    public init(
        policy: OriginHealthPolicy = .spec,
        random: @escaping @Sendable () -> Double,
        onTransition: TransitionObserver? = nil
    ) {
        self.policy = policy
        self.state = Mutex(OriginHealthState(policy: policy))
        self.random = random
        self.onTransition = onTransition
    }

    /// May a request go to `origin` at `now`? A `.trial` answer makes the caller the one trial:
    /// it must report its end (`answered`, `unreachable`, `unanswered` or `released`).
    public func admit(_ origin: BackendOrigin, now: MonotonicInstant) -> OriginAdmission {
        guard downOrigins.load(ordering: .relaxed) > 0 else { return .send }
        return state.withLock { $0.admit(origin, at: now) }
    }

    /// Whether any origin is down now (read without the lock).
    public var anyDown: Bool { downOrigins.load(ordering: .relaxed) > 0 }

    /// What is known of `origin`, changing nothing (the order probes start in).
    public func standing(of origin: BackendOrigin, now: MonotonicInstant) -> OriginStanding {
        state.withLock { $0.standing(of: origin, at: now) }
    }

    /// A request to `origin` received a status: up.
    public func answered(_ origin: BackendOrigin, now: MonotonicInstant) {
        report(origin) { $0.answered(origin, at: now) }
    }

    /// A request sent at `sentAt` could not reach `origin` (connect failure or timeout, TLS
    /// failure, reset or close before a status).
    public func unreachable(_ origin: BackendOrigin, sentAt: MonotonicInstant, now: MonotonicInstant, reason: String) {
        let random = self.random()
        report(origin) { $0.unreachable(origin, sentAt: sentAt, at: now, reason: reason, random: random) }
    }

    /// A probe sent at `sentAt` was still unanswered at its check's deadline.
    public func unanswered(_ origin: BackendOrigin, sentAt: MonotonicInstant, now: MonotonicInstant) {
        let random = self.random()
        report(origin) { $0.unanswered(origin, sentAt: sentAt, at: now, random: random) }
    }

    /// A request sent at `sentAt` ended without a verdict on `origin`; a trial's slot is freed.
    public func released(_ origin: BackendOrigin, sentAt: MonotonicInstant) {
        guard downOrigins.load(ordering: .relaxed) > 0 else { return }
        state.withLock { $0.released(origin, sentAt: sentAt) }
    }

    /// Counters for metrics: origins down and known now, transitions so far.
    public var statistics: OriginHealthStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.known = state.knownCount
            return statistics
        }
    }

    private func report(_ origin: BackendOrigin, _ event: (inout OriginHealthState) -> OriginTransition?) {
        let transition = state.withLock { state in
            let transition = event(&state)
            downOrigins.store(state.statistics.down, ordering: .relaxed)
            return transition
        }
        if let transition { onTransition?(origin, transition) }
    }
}
