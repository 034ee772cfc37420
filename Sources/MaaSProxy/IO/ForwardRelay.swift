import AccessCheck
import CLibevent
import Routing

/// What goes upstream for one forwarded call (SPEC 5.3): already routed and rewritten.
struct ForwardRequest: Sendable {
    var method: String
    var url: EndpointURL
    var headers: [HTTPHeader]
    var body: [UInt8]

    /// SPEC 5.5 / LIBEVENT.md: only a body-less idempotent request may be sent again after it lost
    /// the race with an upstream closing an idle keep-alive connection.
    var isRetriable: Bool {
        body.isEmpty && Self.idempotentMethods.contains(method)
    }

    private static let idempotentMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "DELETE"]
}

/// The upstream timers of SPEC 5.5 (`upstream.connectTimeout`, `responseTimeout`, `idleTimeout`).
struct ForwardTimeouts: Sendable {
    var connect: Duration
    var response: Duration
    var idle: Duration
}

/// How a forwarded call ended, for metrics and logs.
enum ForwardOutcome: Sendable, Equatable {
    /// The backend's answer reached the client whole.
    case relayed(status: Int)
    /// The proxy answered with an error before any of the backend's answer was sent; `reason` is
    /// for the log (never shown to the client).
    case failed(ProxyError, reason: String)
    /// The backend broke off or went quiet mid-body; the client's answer was cut off.
    case aborted
    /// The client left first; the upstream request was closed.
    case clientGone
}

/// Relays one forwarded call: the request upstream, the answer back as it arrives (SPEC 5.4).
///
/// States: waiting for the head → buffering a small body of known length (sent whole, one write)
/// or streaming (head at once, then every chunk as it arrives, pausing upstream reads while more
/// than `maxQueuedBytes` wait for a slow client) → ended. Every end path goes through `end`, which
/// runs once; the relay retains itself while libevent holds its pointer.
final class ForwardRelay: @unchecked Sendable {
    /// LIBEVENT.md: pausing upstream reads above ~256 KiB queued for the client held a slow
    /// reader's proxy at 12 MB instead of 337 MB.
    static let maxQueuedBytes = 256 * 1024
    /// Responses of known length up to this size are sent in one write instead of streamed.
    static let maxBufferedBodyBytes = 64 * 1024
    /// Upstream response heads larger than this are refused (502).
    static let maxResponseHeaderBytes = 256 * 1024
    /// How long a call waits for its head before the client socket is watched for a disconnect
    /// (SPEC 5.4 asks for the upstream to be closed within a second of the client leaving).
    static let clientWatchDelay = Duration.milliseconds(200)

    private enum Phase {
        case waitingForHead
        case buffering(status: Int, headers: [HTTPHeader])
        case streaming
        case ended
    }

    private let exchange: ServerExchange
    private let pool: UpstreamConnectionPool
    private let forward: ForwardRequest
    private let timeouts: ForwardTimeouts
    private let onHead: (Int) -> Void
    private var onEnd: ((ForwardOutcome) -> Void)?

    private var phase = Phase.waitingForHead
    private var connection: UpstreamConnection?
    private var connectionWasReused = false
    private var request: OpaquePointer?
    private var failure: evhttp_request_error?
    private var retried = false
    private var readingPaused = false
    private var lastByteAt: MonotonicInstant
    private var connectTimer: (any ScheduledWork)?
    private var responseTimer: (any ScheduledWork)?
    private var idleTimer: (any ScheduledWork)?
    /// True while libevent holds a pointer to this relay (one +1 retain).
    private var holdsSelf = false

    private init(
        exchange: ServerExchange,
        pool: UpstreamConnectionPool,
        forward: ForwardRequest,
        timeouts: ForwardTimeouts,
        onHead: @escaping (Int) -> Void,
        onEnd: @escaping (ForwardOutcome) -> Void
    ) {
        self.exchange = exchange
        self.pool = pool
        self.forward = forward
        self.timeouts = timeouts
        self.onHead = onHead
        self.onEnd = onEnd
        self.lastByteAt = pool.loop.now
    }

    /// Sends `forward` and relays the answer to `exchange`. Loop thread of `pool` only.
    ///
    /// - Parameters:
    ///   - onHead: the backend's status, as soon as its head arrived.
    ///   - onEnd: runs once, after the client's answer was handed to libevent (or cut off).
    static func start(
        exchange: ServerExchange,
        pool: UpstreamConnectionPool,
        forward: ForwardRequest,
        timeouts: ForwardTimeouts,
        onHead: @escaping (Int) -> Void,
        onEnd: @escaping (ForwardOutcome) -> Void
    ) {
        let relay = ForwardRelay(
            exchange: exchange,
            pool: pool,
            forward: forward,
            timeouts: timeouts,
            onHead: onHead,
            onEnd: onEnd
        )
        _ = Unmanaged.passRetained(relay)
        relay.holdsSelf = true
        exchange.watchClient { [weak relay] in relay?.clientLeft() }
        exchange.onDrained = { [weak relay] in relay?.clientDrained() }
        // One timer for the wait: first to start watching the client, then for the response timeout.
        let firstWake = min(timeouts.response, ForwardRelay.clientWatchDelay)
        relay.responseTimer = pool.loop.schedule(after: firstWake) { [weak relay] in
            relay?.stillWaiting(since: firstWake)
        }
        relay.send()
    }

    // MARK: Sending

    private func send() {
        guard let command = UpstreamMethod.command(forward.method) else {
            return fail(.badRequest, reason: "method \(forward.method) cannot be forwarded")
        }
        guard let (connection, reused) = pool.acquire(UpstreamOrigin(forward.url)) else {
            return fail(.upstreamUnavailable, reason: "no connection can be made to \(forward.url.scheme) endpoints")
        }
        self.connection = connection
        connectionWasReused = reused
        failure = nil
        // Probes share the pool and cap bodies at 4 MiB; a forwarded answer has no cap (-1).
        evhttp_connection_set_max_body_size(connection.handle, -1)
        evhttp_connection_set_max_headers_size(connection.handle, ForwardRelay.maxResponseHeaderBytes)
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let request = evhttp_request_new(forwardDoneTrampoline, context) else {
            return fail(.upstreamUnavailable, reason: "out of memory")
        }
        evhttp_request_set_error_cb(request, forwardErrorTrampoline)
        evhttp_request_set_header_cb(request, forwardHeadTrampoline)
        evhttp_request_set_chunked_cb(request, forwardChunkTrampoline)
        let output = evhttp_request_get_output_headers(request)
        for header in forward.headers { evhttp_add_header(output, header.name, header.value) }
        if !forward.body.isEmpty {
            let buffer = evhttp_request_get_output_buffer(request)
            forward.body.withUnsafeBytes { raw in _ = evbuffer_add(buffer, raw.baseAddress, raw.count) }
        }
        self.request = request
        if evhttp_make_request(connection.handle, request, command, forward.url.requestTarget) != 0 {
            // Never queued on the connection: the request is ours to free.
            self.request = nil
            evhttp_request_free(request)
            return fail(.upstreamUnavailable, reason: "the request could not be queued")
        }
        connection.disableNagle()
        if !reused {
            connectTimer = pool.loop.schedule(after: timeouts.connect) { [weak self] in self?.connectTimedOut() }
        }
    }

    // MARK: libevent callbacks

    fileprivate func noteError(_ error: evhttp_request_error) {
        failure = error
    }

    fileprivate func headArrived(_ response: OpaquePointer) -> Int32 {
        guard case .waitingForHead = phase, request != nil else { return 0 }
        connectTimer?.cancel()
        connectTimer = nil
        responseTimer?.cancel()
        responseTimer = nil
        connection?.disableNagle()
        let status = Int(evhttp_request_get_response_code(response))
        let headers = ResponseHeaders.relayed(HeaderList.read(evhttp_request_get_input_headers(response)))
        onHead(status)
        touch()
        armIdleTimer()
        if let length = ResponseHeaders.contentLength(headers), length <= ForwardRelay.maxBufferedBodyBytes {
            // Small and of known length: collect it and answer in one write (LIBEVENT.md).
            evhttp_request_set_chunked_cb(response, nil)
            phase = .buffering(status: status, headers: headers)
        } else {
            phase = .streaming
            exchange.startStream(status: status, headers: headers)
        }
        return 0
    }

    fileprivate func chunkArrived(_ response: OpaquePointer) {
        guard case .streaming = phase, request != nil else { return }
        touch()
        let queued = exchange.sendChunk(movingFrom: evhttp_request_get_input_buffer(response))
        if queued > ForwardRelay.maxQueuedBytes && !readingPaused {
            readingPaused = true
            connection?.setReading(false)
        }
    }

    fileprivate func done(_ response: OpaquePointer?) {
        guard request != nil else { return }
        request = nil
        let succeeded = response != nil && failure == nil && Int(evhttp_request_get_response_code(response)) > 0
        switch phase {
        case .waitingForHead:
            guard succeeded, let response else {
                if shouldRetry() { return retry() }
                return fail(
                    failure == EVREQ_HTTP_TIMEOUT ? .upstreamTimeout : .upstreamUnavailable,
                    reason: failureReason()
                )
            }
            // A whole response whose head callback did not run: relay it as one piece.
            let status = Int(evhttp_request_get_response_code(response))
            onHead(status)
            releaseConnection(reusable: true)
            let headers = ResponseHeaders.relayed(HeaderList.read(evhttp_request_get_input_headers(response)))
            exchange.respond(
                status: status,
                headers: headers,
                movingBodyFrom: evhttp_request_get_input_buffer(response)
            )
            end(.relayed(status: status))
        case .buffering(let status, let headers):
            guard succeeded, let response else { return fail(.upstreamUnavailable, reason: failureReason()) }
            releaseConnection(reusable: true)
            exchange.respond(
                status: status,
                headers: headers,
                movingBodyFrom: evhttp_request_get_input_buffer(response)
            )
            end(.relayed(status: status))
        case .streaming:
            if succeeded {
                releaseConnection(reusable: true)
                exchange.finishStream()
                end(.relayed(status: Int(evhttp_request_get_response_code(response))))
            } else {
                releaseConnection(reusable: false)
                exchange.abortStream()
                end(.aborted)
            }
        case .ended:
            break
        }
    }

    // MARK: Events of ours

    /// Why the upstream request failed, with OpenSSL's reason when TLS was the cause.
    private func failureReason() -> String {
        let base = UpstreamFailureReason.describe(failure)
        guard let tls = connection?.lastTLSError() else { return base }
        return "\(base): \(tls)"
    }

    /// A reused keep-alive connection that failed before any response byte (LIBEVENT.md).
    private func shouldRetry() -> Bool {
        !retried && connectionWasReused && forward.isRetriable
            && (failure == EVREQ_HTTP_EOF || failure == EVREQ_HTTP_BUFFER_ERROR)
    }

    private func retry() {
        retried = true
        releaseConnection(reusable: false)
        send()
    }

    private func clientLeft() {
        guard !isEnded else { return }
        cancelUpstream()
        end(.clientGone)
    }

    private func clientDrained() {
        guard readingPaused, case .streaming = phase else { return }
        readingPaused = false
        connection?.setReading(true)
    }

    private func connectTimedOut() {
        connectTimer = nil
        guard case .waitingForHead = phase, let connection, !connection.isConnected else { return }
        cancelUpstream()
        fail(.upstreamUnavailable, reason: "no connection within \(timeouts.connect)")
    }

    private func stillWaiting(since elapsed: Duration) {
        responseTimer = nil
        guard case .waitingForHead = phase else { return }
        guard elapsed >= timeouts.response else {
            exchange.listenWhileWaiting()
            responseTimer = pool.loop.schedule(after: timeouts.response - elapsed) { [weak self] in
                self?.stillWaiting(since: .seconds(1 << 40))
            }
            return
        }
        cancelUpstream()
        fail(.upstreamTimeout, reason: "no response head within \(timeouts.response)")
    }

    private func touch() { lastByteAt = pool.loop.now }

    /// One timer for the whole body: when it fires early (bytes came since), it re-arms for the rest.
    private func armIdleTimer() {
        let remaining = timeouts.idle - pool.loop.now.since(lastByteAt)
        idleTimer = pool.loop.schedule(after: max(remaining, .zero)) { [weak self] in self?.idleTimerFired() }
    }

    private func idleTimerFired() {
        idleTimer = nil
        guard !isEnded else { return }
        if pool.loop.now.since(lastByteAt) < timeouts.idle { return armIdleTimer() }
        cancelUpstream()
        switch phase {
        case .buffering:
            fail(.upstreamTimeout, reason: "no body byte for \(timeouts.idle)")
        case .streaming:
            exchange.abortStream()
            end(.aborted)
        case .waitingForHead, .ended:
            break
        }
    }

    // MARK: Ending

    private var isEnded: Bool {
        if case .ended = phase { return true }
        return false
    }

    /// Cancels the upstream request; evhttp closes its connection, so the backend sees the client
    /// leave (SPEC 5.4). The done callback that follows synchronously finds `request` nil.
    private func cancelUpstream() {
        if let request {
            self.request = nil
            evhttp_cancel_request(request)
        }
        releaseConnection(reusable: false)
    }

    private func fail(_ error: ProxyError, reason: String) {
        releaseConnection(reusable: false)
        exchange.respond(error)
        end(.failed(error, reason: reason))
    }

    private func releaseConnection(reusable: Bool) {
        if readingPaused, let connection {
            readingPaused = false
            connection.setReading(true)
        }
        guard let connection else { return }
        self.connection = nil
        pool.release(connection, reusable: reusable)
    }

    private func end(_ outcome: ForwardOutcome) {
        guard !isEnded else { return }
        phase = .ended
        for timer in [connectTimer, responseTimer, idleTimer] { timer?.cancel() }
        connectTimer = nil
        responseTimer = nil
        idleTimer = nil
        let onEnd = self.onEnd
        self.onEnd = nil
        onEnd?(outcome)
        if holdsSelf {
            holdsSelf = false
            // Safe in a callback of ours: the trampoline's reference keeps us alive until it returns,
            // and libevent never calls back into a request that ended.
            Unmanaged.passUnretained(self).release()
        }
    }
}

private func forwardDoneTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let relay = Unmanaged<ForwardRelay>.fromOpaque(context).takeUnretainedValue()
    // `done` may drop the relay's last retain; keep it alive until the call returns.
    withExtendedLifetime(relay) { relay.done(request) }
}

private func forwardErrorTrampoline(_ error: evhttp_request_error, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ForwardRelay>.fromOpaque(context).takeUnretainedValue().noteError(error)
}

private func forwardHeadTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let request, let context else { return 0 }
    let relay = Unmanaged<ForwardRelay>.fromOpaque(context).takeUnretainedValue()
    return withExtendedLifetime(relay) { relay.headArrived(request) }
}

private func forwardChunkTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context else { return }
    let relay = Unmanaged<ForwardRelay>.fromOpaque(context).takeUnretainedValue()
    withExtendedLifetime(relay) { relay.chunkArrived(request) }
}
