import AccessCheck

/// A transport whose cancellations do nothing, as a racing real one may: answers still arrive.
final class UncancellableTransport: ProbeTransport, @unchecked Sendable {
    let inner: FakeTransport

    init(_ inner: FakeTransport) { self.inner = inner }

    func send(
        _ request: ProbeRequest,
        maxBodyBytes: Int,
        timeout: Duration,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) -> any ProbeCancellation {
        _ = inner.send(request, maxBodyBytes: maxBodyBytes, timeout: timeout, completion: completion)
        return FakeCancellation()
    }
}
