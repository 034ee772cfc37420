import AccessCheck
import HTTP1
import Routing

/// A long-lived upstream GET whose body is handed over piece by piece as it arrives (a Kubernetes
/// watch). Loop thread of `pool` only.
///
/// Lifetime as `BufferedUpstreamCall`: the call retains itself while a connection may call it,
/// and every end — the response ending, a failure, `cancel()` — goes through `finish` once.
final class StreamingUpstreamCall: @unchecked Sendable, UpstreamResponseHandler {
    /// How the call ended.
    enum Ending: Sendable, Equatable {
        /// The server ended the response normally (a watch's `timeoutSeconds`).
        case completed
        /// No response, a broken connection or a cut-off body; the reason is for the log.
        case failed(String)
    }

    struct Handlers {
        /// The response status, once the head arrived; the body follows whatever the status (the
        /// informer reads an error's body for its log).
        var head: (Int) -> Void
        var body: ([UInt8]) -> Void
        var end: (Ending) -> Void
    }

    /// A watch is silent between events for as long as the server likes; the server's own
    /// `timeoutSeconds` ends it normally. This only bounds a dead connection.
    static let silenceLimit = Duration.seconds(3600)

    private let pool: UpstreamConnectionPool
    private var handlers: Handlers?
    private var connection: UpstreamConnection?
    private var holdsSelf = false

    private init(pool: UpstreamConnectionPool, handlers: Handlers) {
        self.pool = pool
        self.handlers = handlers
    }

    static func start(
        pool: UpstreamConnectionPool,
        url: EndpointURL,
        headers: [HTTPHeader],
        handlers: Handlers
    ) -> StreamingUpstreamCall {
        let call = StreamingUpstreamCall(pool: pool, handlers: handlers)
        _ = Unmanaged.passRetained(call)
        call.holdsSelf = true
        guard let (connection, _) = pool.acquire(UpstreamOrigin(url)) else {
            pool.loop.execute { call.finish(.failed("no connection to \(url.hostHeader)")) }
            return call
        }
        call.connection = connection
        let request = UpstreamRequest(
            method: "GET",
            target: url.requestTarget,
            headers: [HTTPHeader("Host", url.hostHeader)] + headers,
            body: []
        )
        let deadlines = UpstreamDeadlines(connect: .seconds(10), response: .seconds(60), idle: silenceLimit)
        let owned = LoopOwned(connection)
        pool.loop.execute { if call.holdsSelf { owned.object.send(request, deadlines: deadlines, handler: call) } }
        return call
    }

    /// Stops the call; no handler runs afterwards.
    func cancel() {
        handlers = nil
        connection?.close()
        connection = nil
        finish(.failed("cancelled"))
    }

    func upstreamHead(_ head: ResponseHead) { handlers?.head(head.status) }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) {
        handlers?.body(Array(bytes.assumingMemoryBound(to: UInt8.self)))
    }

    func upstreamBatchEnded() {}

    func upstreamEnded() {
        // A watch connection is not reused: its state after a long stream is not worth trusting.
        connection?.close()
        connection = nil
        finish(.completed)
    }

    func upstreamFailed(_ failure: UpstreamFailure) {
        connection = nil
        finish(.failed(failure.reason))
    }

    private func finish(_ ending: Ending) {
        let handlers = self.handlers
        self.handlers = nil
        handlers?.end(ending)
        if holdsSelf {
            holdsSelf = false
            Unmanaged.passUnretained(self).release()
        }
    }
}
