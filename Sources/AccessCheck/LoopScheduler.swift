/// The event loop an access check runs on, as seen from pure code.
///
/// `MaaSProxy` implements it over a libevent loop; tests implement it with a manual clock.
public protocol LoopScheduler: Sendable {
    /// Monotonic now, for TTLs, retries and deadlines.
    var now: MonotonicInstant { get }
    /// Wall-clock now in seconds since 1970, for `X-Access-Checked-At` (SPEC 3.5).
    var wallClockSeconds: Double { get }
    /// Runs `work` on the loop's thread soon, never before returning (access checks rely on it to
    /// deliver single-flight decisions without re-entering themselves). Safe to call from any thread.
    func execute(_ work: @escaping @Sendable () -> Void)
    /// Runs `work` on the loop's thread after `delay`. Call from the loop's thread.
    func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> any ScheduledWork
}

/// A timer armed by `LoopScheduler.schedule`; cancelling after it fired does nothing.
public protocol ScheduledWork: Sendable {
    /// Call on the loop's thread.
    func cancel()
}
