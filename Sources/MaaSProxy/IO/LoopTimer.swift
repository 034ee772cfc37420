import AccessCheck
import CLibevent

/// A one-shot timer on an `EventLoop`.
///
/// The timer retains itself while armed (libevent holds a raw pointer to it) and releases on the one
/// path that ends it: firing or `cancel()`. Both run on the loop's thread.
final class LoopTimer: @unchecked Sendable, ScheduledWork {
    private var event: OpaquePointer?
    private var work: (@Sendable () -> Void)?

    private init(work: @escaping @Sendable () -> Void) {
        self.work = work
    }

    static func start(on loop: EventLoop, after delay: Duration, _ work: @escaping @Sendable () -> Void) -> LoopTimer {
        let timer = LoopTimer(work: work)
        let context = Unmanaged.passRetained(timer).toOpaque()
        timer.event = maas_evtimer_new(loop.base, loopTimerTrampoline, context)
        var timeout = maas_timeval_ms(Int64(delay.milliseconds.rounded(.up)))
        event_add(timer.event, &timeout)
        return timer
    }

    func cancel() {
        guard let event else { return }
        event_del(event)
        finish()
    }

    fileprivate func fire() {
        let work = self.work
        finish()
        work?()
    }

    private func finish() {
        guard let event else { return }
        event_free(event)
        self.event = nil
        self.work = nil
        Unmanaged.passUnretained(self).release()
    }
}

private func loopTimerTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<LoopTimer>.fromOpaque(context).takeUnretainedValue().fire()
}
