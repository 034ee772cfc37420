import AccessCheck
import HTTP1
import Routing

/// One upstream request whose whole response is read into memory (probes: at most 4 MiB; the
/// Kubernetes list). Loop thread of its pool only.
///
/// Lifetime: the call retains itself from `start` to its one end — the response, a failure, the
/// timeout, or `cancel()` — and the completion runs once, on a later loop turn than `start`.
///
/// Backend health (SPEC 3.2): a head marks the origin up; a failure is reported with its kind
/// before the completion runs, so the prober sees the origin down when it decides on a retry.
/// `cancel()` reports nothing: the access check that cancels at its deadline reports that itself.
final class BufferedUpstreamCall: @unchecked Sendable, ProbeCancellation, UpstreamResponseHandler {
    private let pool: UpstreamConnectionPool
    private let maxBodyBytes: Int
    private let origin: UpstreamOrigin
    private let sentAt: MonotonicInstant
    private var connection: UpstreamConnection?
    private var completion: (@Sendable (ProbeResponse) -> Void)?
    private var status = 0
    private var body: [UInt8] = []
    private var tooLarge = false
    private var holdsSelf = false

    private init(
        pool: UpstreamConnectionPool,
        origin: UpstreamOrigin,
        maxBodyBytes: Int,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) {
        self.pool = pool
        self.origin = origin
        self.sentAt = pool.loop.now
        self.maxBodyBytes = maxBodyBytes
        self.completion = completion
    }

    /// Starts the request on the pool's loop thread; `completion` runs once on that thread, unless
    /// `cancel()` came first.
    static func start(
        pool: UpstreamConnectionPool,
        method: String,
        url: EndpointURL,
        headers: [HTTPHeader],
        body: [UInt8] = [],
        maxBodyBytes: Int,
        timeout: Duration,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) -> BufferedUpstreamCall {
        let origin = UpstreamOrigin(url)
        let call = BufferedUpstreamCall(pool: pool, origin: origin, maxBodyBytes: maxBodyBytes, completion: completion)
        _ = Unmanaged.passRetained(call)
        call.holdsSelf = true
        guard let (connection, _) = pool.acquire(origin) else {
            pool.health?.released(origin, sentAt: call.sentAt)
            pool.loop.execute { call.finish(.failed(reason: "no connection to \(url.scheme)://\(url.hostHeader)")) }
            return call
        }
        call.connection = connection
        var fields = [HTTPHeader("Host", url.hostHeader)] + headers
        if !body.isEmpty { fields.append(HTTPHeader("Content-Length", String(body.count))) }
        let request = UpstreamRequest(method: method, target: url.requestTarget, headers: fields, body: body)
        let deadlines = UpstreamDeadlines(connect: timeout, response: timeout, idle: timeout, total: timeout)
        // Still asynchronous for the caller: even an immediate failure is reported on a later turn.
        let owned = LoopOwned(connection)
        pool.loop.execute { if call.holdsSelf { owned.object.send(request, deadlines: deadlines, handler: call) } }
        return call
    }

    func cancel() {
        completion = nil
        connection?.close()
        connection = nil
        release()
    }

    func upstreamHead(_ head: ResponseHead) {
        status = head.status
        pool.reportAnswered(origin)
    }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) {
        guard !tooLarge else { return }
        if body.count + bytes.count > maxBodyBytes {
            tooLarge = true
            // Nothing more of it is worth reading.
            let status = self.status
            connection?.close()
            connection = nil
            return finish(.bodyTooLarge(status: status))
        }
        body.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }

    func upstreamBatchEnded() {}

    func upstreamEnded() {
        if let connection {
            self.connection = nil
            pool.release(connection, reusable: true)
        }
        finish(.http(status: status, body: body))
    }

    func upstreamFailed(_ failure: UpstreamFailure) {
        connection = nil
        pool.reportFailure(failure, origin: origin, sentAt: sentAt, probe: true)
        finish(.failed(reason: failure.reason))
    }

    private func finish(_ response: ProbeResponse) {
        let completion = self.completion
        self.completion = nil
        release()
        completion?(response)
    }

    private func release() {
        guard holdsSelf else { return }
        holdsSelf = false
        // Callers reach here through a reference of their own (a handler call, `cancel`), so the
        // object outlives this frame.
        Unmanaged.passUnretained(self).release()
    }
}
