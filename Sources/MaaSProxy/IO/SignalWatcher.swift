import CLibevent

/// Delivers POSIX signals as callbacks on an `EventLoop`'s thread (libevent's self-pipe), so a
/// handler may do anything a loop callback may.
final class SignalWatcher {
    private var events: [OpaquePointer] = []
    private var handlers: [Int32: () -> Void] = [:]
    private let loop: EventLoop

    init(loop: EventLoop) {
        self.loop = loop
    }

    deinit {
        for event in events { event_free(event) }
    }

    /// Registers `handler` for `signal` and unblocks it on the calling thread. Call on the loop's
    /// thread before it runs.
    func on(_ signal: Int32, _ handler: @escaping () -> Void) {
        handlers[signal] = handler
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let event = maas_evsignal_new(loop.base, signal, signalWatcherTrampoline, context) else { return }
        event_add(event, nil)
        events.append(event)
        _ = maas_unblock_signal(signal)
    }

    fileprivate func deliver(_ signal: Int32) {
        handlers[signal]?()
    }
}

private func signalWatcherTrampoline(_ signal: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<SignalWatcher>.fromOpaque(context).takeUnretainedValue().deliver(signal)
}
