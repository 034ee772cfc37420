import AccessCheck
import CLibevent
import Routing

/// One upstream request whose whole response is read into memory (probes: at most 4 MiB).
///
/// Lifetime: the call retains itself while libevent holds its pointer and releases on the one path
/// that ends it — the request callback, the timeout, or `cancel()`. libevent may report an error
/// before the regular callback, so `finish` is idempotent.
final class BufferedUpstreamCall: @unchecked Sendable, ProbeCancellation {
    private let pool: UpstreamConnectionPool
    private var connection: UpstreamConnection?
    private var request: OpaquePointer?
    private var timer: (any ScheduledWork)?
    private var completion: (@Sendable (ProbeResponse) -> Void)?
    private var failure: evhttp_request_error?
    /// True while libevent holds a pointer to this call (one +1 retain).
    private var holdsSelf = false

    private init(pool: UpstreamConnectionPool, completion: @escaping @Sendable (ProbeResponse) -> Void) {
        self.pool = pool
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
        let call = BufferedUpstreamCall(pool: pool, completion: completion)
        call.begin(method: method, url: url, headers: headers, body: body, maxBodyBytes: maxBodyBytes, timeout: timeout)
        return call
    }

    func cancel() {
        guard let request else { return }
        self.request = nil
        evhttp_cancel_request(request)
        completion = nil
        end(reusable: false)
    }

    private func begin(
        method: String,
        url: EndpointURL,
        headers: [HTTPHeader],
        body: [UInt8],
        maxBodyBytes: Int,
        timeout: Duration
    ) {
        guard let command = UpstreamMethod.command(method) else {
            return deliverImmediately(.failed(reason: "method \(method) is not supported upstream"))
        }
        guard let (connection, _) = pool.acquire(UpstreamOrigin(url)) else {
            return deliverImmediately(.failed(reason: "no connection to \(url.scheme)://\(url.hostHeader)"))
        }
        self.connection = connection
        evhttp_connection_set_max_body_size(connection.handle, maxBodyBytes)
        guard let request = evhttp_request_new(bufferedCallDoneTrampoline, Unmanaged.passUnretained(self).toOpaque())
        else {
            end()
            return deliverImmediately(.failed(reason: "out of memory"))
        }
        _ = Unmanaged.passRetained(self)
        holdsSelf = true
        evhttp_request_set_error_cb(request, bufferedCallErrorTrampoline)
        let output = evhttp_request_get_output_headers(request)
        evhttp_add_header(output, "Host", url.hostHeader)
        for header in headers { evhttp_add_header(output, header.name, header.value) }
        if !body.isEmpty {
            let buffer = evhttp_request_get_output_buffer(request)
            body.withUnsafeBytes { raw in _ = evbuffer_add(buffer, raw.baseAddress, raw.count) }
        }
        self.request = request
        timer = pool.loop.schedule(after: timeout) { [self] in
            self.timedOut()
        }
        if evhttp_make_request(connection.handle, request, command, url.requestTarget) != 0 {
            // The request never entered the connection's queue: it is ours to free.
            self.request = nil
            evhttp_request_free(request)
            finish(.failed(reason: "could not send the request to \(url.hostHeader)"))
        }
    }

    private func deliverImmediately(_ response: ProbeResponse) {
        // Still asynchronous for the caller: completion never runs inside `start`.
        let completion = self.completion
        self.completion = nil
        pool.loop.execute { completion?(response) }
    }

    fileprivate func noteError(_ error: evhttp_request_error) {
        failure = error
    }

    fileprivate func done(_ response: OpaquePointer?) {
        guard request != nil else { return }
        request = nil
        finish(BufferedUpstreamCall.read(response, failure: failure))
    }

    private func timedOut() {
        timer = nil
        guard let request else { return }
        self.request = nil
        evhttp_cancel_request(request)
        finish(.failed(reason: "timed out"))
    }

    private func finish(_ response: ProbeResponse) {
        let completion = self.completion
        self.completion = nil
        // Only a connection that carried a whole response goes back to the pool: after a failure
        // (TLS refused, reset, timeout, oversized body) its state is not worth trusting.
        if case .http = response { end(reusable: true) } else { end(reusable: false) }
        completion?(response)
    }

    /// Releases everything this call holds; the self-retain goes last.
    private func end(reusable: Bool = false) {
        timer?.cancel()
        timer = nil
        if let connection {
            self.connection = nil
            pool.release(connection, reusable: reusable)
        }
        if holdsSelf {
            holdsSelf = false
            Unmanaged.passUnretained(self).release()
        }
    }

    private static func read(_ response: OpaquePointer?, failure: evhttp_request_error?) -> ProbeResponse {
        let status = response.map { Int(evhttp_request_get_response_code($0)) } ?? 0
        if failure == EVREQ_HTTP_DATA_TOO_LONG { return .bodyTooLarge(status: status) }
        guard let response, status > 0, failure == nil else {
            return .failed(reason: UpstreamFailureReason.describe(failure))
        }
        return .http(status: status, body: EvBuffer.bytes(of: evhttp_request_get_input_buffer(response)))
    }
}

private func bufferedCallDoneTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<BufferedUpstreamCall>.fromOpaque(context).takeUnretainedValue().done(request)
}

private func bufferedCallErrorTrampoline(_ error: evhttp_request_error, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<BufferedUpstreamCall>.fromOpaque(context).takeUnretainedValue().noteError(error)
}

/// Method names to evhttp's command enum.
enum UpstreamMethod {
    static func command(_ method: String) -> evhttp_cmd_type? {
        switch method {
        case "GET": EVHTTP_REQ_GET
        case "POST": EVHTTP_REQ_POST
        case "HEAD": EVHTTP_REQ_HEAD
        case "PUT": EVHTTP_REQ_PUT
        case "DELETE": EVHTTP_REQ_DELETE
        case "OPTIONS": EVHTTP_REQ_OPTIONS
        case "PATCH": EVHTTP_REQ_PATCH
        default: nil
        }
    }
}

/// libevent's request errors as words for logs (never shown to callers).
enum UpstreamFailureReason {
    static func describe(_ error: evhttp_request_error?) -> String {
        switch error {
        case EVREQ_HTTP_TIMEOUT: "upstream timed out"
        case EVREQ_HTTP_EOF: "upstream closed the connection"
        case EVREQ_HTTP_INVALID_HEADER: "invalid response header"
        case EVREQ_HTTP_BUFFER_ERROR: "connection failed"
        case EVREQ_HTTP_REQUEST_CANCEL: "cancelled"
        case EVREQ_HTTP_DATA_TOO_LONG: "response too large"
        default: "connection failed"
        }
    }
}
