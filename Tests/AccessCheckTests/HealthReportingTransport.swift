import AccessCheck
import Routing

/// A `FakeTransport` that tells the health registry what each answer showed, before the prober
/// hears it — as `MaaSProxy`'s transport does: a status marks the origin up, a failure marks it
/// unreachable (every scripted failure stands for a connect failure here).
///
/// Confined to the test thread driving its scheduler.
final class HealthReportingTransport: ProbeTransport, @unchecked Sendable {
    let inner: FakeTransport
    let health: OriginHealth

    init(_ inner: FakeTransport, health: OriginHealth) {
        self.inner = inner
        self.health = health
    }

    func send(
        _ request: ProbeRequest,
        maxBodyBytes: Int,
        timeout: Duration,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) -> any ProbeCancellation {
        let origin = BackendOrigin(request.url)
        let sentAt = inner.scheduler.now
        return inner.send(request, maxBodyBytes: maxBodyBytes, timeout: timeout) { [health, inner] response in
            switch response {
            case .http, .bodyTooLarge:
                health.answered(origin, now: inner.scheduler.now)
            case .failed(let reason):
                health.unreachable(origin, sentAt: sentAt, now: inner.scheduler.now, reason: reason)
            }
            completion(response)
        }
    }
}
