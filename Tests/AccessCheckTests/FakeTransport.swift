import AccessCheck
import Routing

/// A transport whose answers the test scripts per URL path and attempt; it records what was sent,
/// when, and how many attempts were in flight at most. Answers arrive after `latency` on the
/// scheduler, or inline from `send` when `latency` is nil.
///
/// Confined to the test thread driving its scheduler.
final class FakeTransport: ProbeTransport, @unchecked Sendable {
    struct Sent {
        var request: ProbeRequest
        var at: MonotonicInstant
        var timeout: Duration
        var maxBodyBytes: Int
    }

    let scheduler: ManualScheduler
    /// Answer per URL path, one per attempt (the last repeats).
    var script: [String: [ProbeResponse]] = [:]
    var fallback: ProbeResponse = .http(status: 200, body: Array(#"{"data":[]}"#.utf8))
    /// How long each answer takes; nil answers before `send` returns.
    var latency: Duration? = .milliseconds(10)
    /// Overrides `latency` per URL path.
    var latencyByPath: [String: Duration] = [:]
    private(set) var sent: [Sent] = []
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0
    private(set) var cancelled = 0
    private(set) var answered = 0

    init(scheduler: ManualScheduler) { self.scheduler = scheduler }

    func send(
        _ request: ProbeRequest,
        maxBodyBytes: Int,
        timeout: Duration,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) -> any ProbeCancellation {
        let attempt = sent.filter { $0.request.url == request.url }.count
        sent.append(Sent(request: request, at: scheduler.now, timeout: timeout, maxBodyBytes: maxBodyBytes))
        let answers = script[request.url.path] ?? [fallback]
        let response = answers[min(attempt, answers.count - 1)]
        let cancellation = FakeCancellation()
        guard let latency = latencyByPath[request.url.path] ?? latency else {
            answered += 1
            completion(response)
            return cancellation
        }
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        let timer = scheduler.schedule(after: latency) { [self] in
            guard !cancellation.isCancelled else { return }
            self.inFlight -= 1
            self.answered += 1
            completion(response)
        }
        cancellation.onCancel = { [self] in
            timer.cancel()
            self.inFlight -= 1
            self.cancelled += 1
        }
        return cancellation
    }

    func sentPaths() -> [String] { sent.map(\.request.url.path) }

    /// Milliseconds from `start` at which each attempt was sent.
    func sendTimes(since start: MonotonicInstant) -> [Double] { sent.map { $0.at.since(start).milliseconds } }
}

/// The cancellation handle of `FakeTransport`; cancelling twice, or after the answer, does nothing.
final class FakeCancellation: ProbeCancellation, @unchecked Sendable {
    private(set) var isCancelled = false
    var onCancel: (() -> Void)?
    func cancel() {
        guard !isCancelled else { return }
        isCancelled = true
        onCancel?()
        onCancel = nil
    }
}
