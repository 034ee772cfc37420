import AccessCheck
import HTTP1
import Routing

/// One upstream request whose whole response is read into memory (probes: at most 4 MiB; the
/// Kubernetes list). Loop thread of its pool only.
///
/// Lifetime: the call retains itself from `start` to its one end — the response, a failure, the
/// timeout, or `cancel()` — and the completion runs once, on a later loop turn than `start`.
final class BufferedUpstreamCall: @unchecked Sendable, ProbeCancellation, UpstreamResponseHandler {
    private let pool: UpstreamConnectionPool
    private let maxBodyBytes: Int
    private var connection: UpstreamConnection?
    private var completion: (@Sendable (ProbeResponse) -> Void)?
    private var status = 0
    private var body: [UInt8] = []
    private var tooLarge = false
    private var holdsSelf = false

    private init(
        pool: UpstreamConnectionPool,
        maxBodyBytes: Int,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) {
        self.pool = pool
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
        let call = BufferedUpstreamCall(pool: pool, maxBodyBytes: maxBodyBytes, completion: completion)
        _ = Unmanaged.passRetained(call)
        call.holdsSelf = true
        guard let (connection, _) = pool.acquire(UpstreamOrigin(url)) else {
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

    func upstreamHead(_ head: ResponseHead) { status = head.status }

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
