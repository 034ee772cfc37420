import AccessCheck
import CLibevent
import Routing

/// A long-lived upstream GET whose body is handed over piece by piece as it arrives (a Kubernetes
/// watch). Loop thread of `pool` only.
///
/// Lifetime as `BufferedUpstreamCall`: the call retains itself while libevent holds its pointer,
/// and every end — the response ending, a failure, `cancel()` — goes through `end` once.
final class StreamingUpstreamCall: @unchecked Sendable {
    /// How the call ended.
    enum Ending: Sendable, Equatable {
        /// The server ended the response normally (a watch's `timeoutSeconds`).
        case completed
        /// No response, a broken connection or a cut-off body; the reason is for the log.
        case failed(String)
    }

    struct Handlers {
        /// The response status, once the head arrived; body bytes follow only for a 2xx.
        var head: (Int) -> Void
        var body: ([UInt8]) -> Void
        var end: (Ending) -> Void
    }

    private let pool: UpstreamConnectionPool
    private var handlers: Handlers?
    private var connection: UpstreamConnection?
    private var request: OpaquePointer?
    private var failure: evhttp_request_error?
    private var sawHead = false
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
        call.begin(url: url, headers: headers)
        return call
    }

    /// Stops the call; no handler runs afterwards.
    func cancel() {
        handlers = nil
        if let request {
            self.request = nil
            evhttp_cancel_request(request)
        }
        finish(.failed("cancelled"))
    }

    private func begin(url: EndpointURL, headers: [HTTPHeader]) {
        guard let (connection, _) = pool.acquire(UpstreamOrigin(url)) else {
            return pool.loop.execute { [self] in self.finish(.failed("no connection to \(url.hostHeader)")) }
        }
        self.connection = connection
        evhttp_connection_set_max_body_size(connection.handle, -1)
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let request = evhttp_request_new(streamingDoneTrampoline, context) else {
            return pool.loop.execute { [self] in self.finish(.failed("out of memory")) }
        }
        _ = Unmanaged.passRetained(self)
        holdsSelf = true
        evhttp_request_set_error_cb(request, streamingErrorTrampoline)
        evhttp_request_set_header_cb(request, streamingHeadTrampoline)
        evhttp_request_set_chunked_cb(request, streamingChunkTrampoline)
        let output = evhttp_request_get_output_headers(request)
        evhttp_add_header(output, "Host", url.hostHeader)
        for header in headers { evhttp_add_header(output, header.name, header.value) }
        self.request = request
        if evhttp_make_request(connection.handle, request, EVHTTP_REQ_GET, url.requestTarget) != 0 {
            self.request = nil
            evhttp_request_free(request)
            return pool.loop.execute { [self] in self.finish(.failed("the request could not be sent")) }
        }
        connection.disableNagle()
    }

    fileprivate func noteError(_ error: evhttp_request_error) { failure = error }

    fileprivate func headArrived(_ response: OpaquePointer) -> Int32 {
        guard request != nil, !sawHead else { return 0 }
        sawHead = true
        handlers?.head(Int(evhttp_request_get_response_code(response)))
        return 0
    }

    fileprivate func chunkArrived(_ response: OpaquePointer) {
        guard request != nil else { return }
        handlers?.body(EvBuffer.bytes(of: evhttp_request_get_input_buffer(response)))
    }

    fileprivate func done(_ response: OpaquePointer?) {
        guard request != nil else { return }
        request = nil
        if let response, failure == nil, evhttp_request_get_response_code(response) > 0 {
            // A body that arrived whole (no chunk callback ran for it) is still delivered.
            let rest = EvBuffer.bytes(of: evhttp_request_get_input_buffer(response))
            if !rest.isEmpty { handlers?.body(rest) }
            finish(.completed)
        } else {
            finish(
                .failed(UpstreamFailureReason.describe(failure) + (connection?.lastTLSError().map { ": \($0)" } ?? ""))
            )
        }
    }

    private func finish(_ ending: Ending) {
        let handlers = self.handlers
        self.handlers = nil
        if let connection {
            self.connection = nil
            // A watch connection is not reused: its state after a long stream is not worth trusting.
            pool.release(connection, reusable: ending == .completed)
        }
        handlers?.end(ending)
        if holdsSelf {
            holdsSelf = false
            Unmanaged.passUnretained(self).release()
        }
    }
}

private func streamingDoneTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let call = Unmanaged<StreamingUpstreamCall>.fromOpaque(context).takeUnretainedValue()
    withExtendedLifetime(call) { call.done(request) }
}

private func streamingErrorTrampoline(_ error: evhttp_request_error, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<StreamingUpstreamCall>.fromOpaque(context).takeUnretainedValue().noteError(error)
}

private func streamingHeadTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let request, let context else { return 0 }
    return Unmanaged<StreamingUpstreamCall>.fromOpaque(context).takeUnretainedValue().headArrived(request)
}

private func streamingChunkTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context else { return }
    Unmanaged<StreamingUpstreamCall>.fromOpaque(context).takeUnretainedValue().chunkArrived(request)
}
