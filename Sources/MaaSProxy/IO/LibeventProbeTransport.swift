import AccessCheck
import Routing

/// Sends probes over one worker's upstream connection pool.
final class LibeventProbeTransport: ProbeTransport, @unchecked Sendable {
    private let pool: UpstreamConnectionPool

    /// Use only from `pool.loop`'s thread (each worker has its own transport).
    init(pool: UpstreamConnectionPool) {
        self.pool = pool
    }

    func send(
        _ request: ProbeRequest,
        maxBodyBytes: Int,
        timeout: Duration,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) -> any ProbeCancellation {
        BufferedUpstreamCall.start(
            pool: pool,
            method: request.method,
            url: request.url,
            headers: request.headers,
            maxBodyBytes: maxBodyBytes,
            timeout: timeout,
            completion: completion
        )
    }
}
