import CLibevent

/// A timer on the loop, once or every interval; it keeps itself (and its work) alive until it fires for the last
/// time or is cancelled.
public final class LoopTimer {
    private var event: OpaquePointer?
    private var work: (() -> Void)?
    private var repeating = false

    @discardableResult
    public static func start(
        base: OpaquePointer,
        milliseconds: Int,
        repeating: Bool = false,
        _ work: @escaping () -> Void
    ) -> LoopTimer {
        let timer = LoopTimer()
        timer.work = work
        timer.repeating = repeating
        // +1 for libevent, released in finish(). A persistent event with a timeout fires every interval.
        let context = Unmanaged.passRetained(timer).toOpaque()
        timer.event =
            repeating
            ? maas_evuser_new(base, loopTimerTrampoline, context) : maas_evtimer_new(base, loopTimerTrampoline, context)
        var timeout = maas_timeval_ms(Int64(max(milliseconds, 0)))
        event_add(timer.event, &timeout)
        return timer
    }

    /// Stops the timer; the work never runs again.
    public func cancel() { finish() }

    fileprivate func fire() {
        let work = self.work
        if !repeating { finish() }
        work?()
    }

    private func finish() {
        guard let event else { return }
        event_free(event)  // also deletes a pending event
        self.event = nil
        work = nil
        Unmanaged.passUnretained(self).release()
    }
}

private func loopTimerTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<LoopTimer>.fromOpaque(context).takeUnretainedValue().fire()
}
