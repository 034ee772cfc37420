import CLibevent

/// A timer on the loop that runs its work once; it keeps itself (and so its work) alive until it fires or is
/// cancelled. Never sleeps.
final class OneShotTimer {
    private var event: OpaquePointer?
    private var work: (() -> Void)?

    @discardableResult
    static func start(base: OpaquePointer, milliseconds: Int, _ work: @escaping () -> Void) -> OneShotTimer {
        let timer = OneShotTimer()
        timer.work = work
        // +1 for libevent, released in finish().
        timer.event = maas_evtimer_new(base, oneShotTimerTrampoline, Unmanaged.passRetained(timer).toOpaque())
        var timeout = maas_timeval_ms(Int64(max(milliseconds, 0)))
        event_add(timer.event, &timeout)
        return timer
    }

    /// Stops the timer before it fires; the work never runs.
    func cancel() { finish() }

    fileprivate func fire() {
        let work = self.work
        finish()
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

private func oneShotTimerTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<OneShotTimer>.fromOpaque(context).takeUnretainedValue().fire()
}
