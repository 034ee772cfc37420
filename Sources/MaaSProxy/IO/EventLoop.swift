import AccessCheck
import CLibevent
import Glibc
import Synchronization

/// One libevent `event_base`, confined to the thread that runs it.
///
/// Everything that touches the base (servers, connections, timers) is created and used on that
/// thread. Other threads hand work over with `execute`, which queues a closure and activates a
/// user event (`event_active` is thread-safe once `evthread_use_pthreads()` ran).
final class EventLoop: @unchecked Sendable, LoopScheduler {
    let name: String
    /// The `event_base`; owned by this loop, freed in `deinit`.
    let base: OpaquePointer
    /// Non-blocking DNS for upstream connections (docs/LIBEVENT.md: without it every connect blocks the loop).
    let dns: OpaquePointer?
    private var wakeEvent: OpaquePointer?
    private let pending = Mutex<[@Sendable () -> Void]>([])
    private let owningThread = Mutex<pthread_t?>(nil)
    /// Request ids for this loop's requests; touched only on the loop's thread.
    var random = FastRandom()

    init(name: String) throws(EventLoopError) {
        LibeventRuntime.initialize()
        guard let config = event_config_new() else { throw .creationFailed(name) }
        defer { event_config_free(config) }
        // No epoll changelist (docs/LIBEVENT.md measured +35 % with it, for evhttp, which toggles interest
        // on every request): the engine registers each socket once and never changes it, and with
        // the changelist a deleted event's epoll_ctl waits for the next loop turn — after the socket
        // was closed, so a new socket given the same number could be left unregistered.
        guard let base = event_base_new_with_config(config) else { throw .creationFailed(name) }
        self.name = name
        self.base = base
        self.dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS)
        let context = Unmanaged.passUnretained(self).toOpaque()
        self.wakeEvent = maas_evuser_new(base, eventLoopWakeTrampoline, context)
    }

    deinit {
        if let wakeEvent { event_free(wakeEvent) }
        if let dns { evdns_base_free(dns, 0) }
        event_base_free(base)
    }

    /// Runs the loop on the calling thread until `stop()`; the calling thread becomes the owner.
    func run() {
        owningThread.withLock { $0 = pthread_self() }
        event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY)
        drainPending()
    }

    /// Makes `run()` return after the current callbacks. Safe from any thread.
    func stop() {
        execute { [self] in event_base_loopbreak(self.base) }
    }

    var isOnLoopThread: Bool {
        owningThread.withLock { owner in owner.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    // MARK: LoopScheduler

    var now: MonotonicInstant { MonotonicClock.now }

    var wallClockSeconds: Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    func execute(_ work: @escaping @Sendable () -> Void) {
        pending.withLock { $0.append(work) }
        if let wakeEvent { event_active(wakeEvent, EV_READ, 0) }
    }

    func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> any ScheduledWork {
        LoopTimer.start(on: self, after: delay, work)
    }

    fileprivate func drainPending() {
        let batch = pending.withLock { queue -> [@Sendable () -> Void] in
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            return batch
        }
        for work in batch { work() }
    }
}

private func eventLoopWakeTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().drainPending()
}

enum EventLoopError: Error, CustomStringConvertible {
    case creationFailed(String)

    var description: String {
        switch self {
        case .creationFailed(let name): "could not create the event loop \(name)"
        }
    }
}

/// Process-wide libevent and OpenSSL set-up, done once before any loop exists.
enum LibeventRuntime {
    private static let once: Void = {
        // Cross-thread event_active needs libevent's locking (docs/DESIGN.md: cross-thread hand-over).
        _ = evthread_use_pthreads()
        // A write to a closed socket must be an error, not a signal that kills the process.
        maas_ignore_sigpipe()
        _ = OPENSSL_init_ssl(0, nil)
    }()

    static func initialize() { _ = once }
}

/// CLOCK_MONOTONIC as a `MonotonicInstant`.
enum MonotonicClock {
    static var now: MonotonicInstant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return MonotonicInstant(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }
}
