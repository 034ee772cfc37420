import AccessCheck

/// A loop with a hand-driven clock: timers fire only when the test advances time, and work handed
/// over with `execute` runs only when the test calls `runPending()` (or advances time).
///
/// Driven by one test thread only, hence `@unchecked Sendable`.
final class ManualScheduler: LoopScheduler, @unchecked Sendable {
    private struct Timer {
        var id: Int
        var due: MonotonicInstant
        var work: @Sendable () -> Void
    }

    private var timers: [Timer] = []
    private var nextID = 0
    private var queue: [@Sendable () -> Void] = []
    private(set) var now: MonotonicInstant
    let wallOffset: Double

    init(start: MonotonicInstant = MonotonicInstant(nanoseconds: 1_000_000_000), wallOffset: Double = 1_790_000_000) {
        self.now = start
        self.wallOffset = wallOffset
    }

    var wallClockSeconds: Double { wallOffset + Double(now.nanoseconds) / 1e9 }

    func execute(_ work: @escaping @Sendable () -> Void) { queue.append(work) }

    func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> any ScheduledWork {
        nextID += 1
        timers.append(Timer(id: nextID, due: now + delay, work: work))
        return ManualTimer(id: nextID, scheduler: self)
    }

    func cancel(_ id: Int) { timers.removeAll { $0.id == id } }

    /// Runs work handed over with `execute`, including work queued while running.
    func runPending() {
        while !queue.isEmpty { queue.removeFirst()() }
    }

    /// Moves the clock forward, firing due timers in due order (ties in arming order), and running
    /// pending work before and after each.
    func advance(by duration: Duration) {
        let target = now + duration
        runPending()
        while let next = timers.filter({ $0.due <= target }).min(by: { $0.due < $1.due }) {
            timers.removeAll { $0.id == next.id }
            now = max(now, next.due)
            next.work()
            runPending()
        }
        now = target
    }

    var pendingTimers: Int { timers.count }
    var pendingWork: Int { queue.count }
}

/// A timer of `ManualScheduler`.
struct ManualTimer: ScheduledWork, @unchecked Sendable {
    let id: Int
    let scheduler: ManualScheduler
    func cancel() { scheduler.cancel(id) }
}
