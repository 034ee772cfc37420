import AccessCheck

/// Wraps a transport and remembers every attempt, for `maas-proxy explain`. Loop-thread only.
final class RecordingProbeTransport: ProbeTransport, @unchecked Sendable {
    struct Attempt {
        var request: ProbeRequest
        var response: ProbeResponse?
        var duration: Duration = .zero
    }

    private let inner: any ProbeTransport
    private let loop: EventLoop
    private(set) var attempts: [Attempt] = []

    init(_ inner: any ProbeTransport, loop: EventLoop) {
        self.inner = inner
        self.loop = loop
    }

    func send(
        _ request: ProbeRequest,
        maxBodyBytes: Int,
        timeout: Duration,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) -> any ProbeCancellation {
        let index = attempts.count
        attempts.append(Attempt(request: request))
        let started = loop.now
        return inner.send(request, maxBodyBytes: maxBodyBytes, timeout: timeout) { [self] response in
            self.attempts[index].response = response
            self.attempts[index].duration = self.loop.now.since(started)
            completion(response)
        }
    }
}
