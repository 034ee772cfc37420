import AccessCheck
import CLibevent

/// One request received by an `HTTPServer` and the one answer it gets.
///
/// The `evhttp_request` belongs to libevent; this wrapper is its only user. The state allows one
/// terminal path: `respond` once, or `startStream` → `sendChunk`… → `finishStream` or
/// `abortStream`, or the client leaving first. Calls out of turn are ignored (and asserted in
/// debug builds), so "every request is answered exactly once" holds by construction.
/// Loop-thread only.
final class ServerExchange: @unchecked Sendable {
    let method: String
    /// The request target as received (origin-form `path?query` for well-formed requests).
    let target: String
    let headers: [HTTPHeader]
    let body: [UInt8]
    let receivedAt: MonotonicInstant
    let loop: EventLoop
    /// Sent back as `X-Request-Id` and logged (SPEC 5.3).
    let requestID: String
    /// True for an HTTP/1.0 request: a streamed reply without a length must close the connection.
    let isHTTP10: Bool
    /// The client's address as evhttp saw it (for `X-Forwarded-For`).
    let peerAddress: String
    /// Filled in by handlers for the access log.
    var notes = AccessNotes()
    /// Where `?` is in `target` (its end when there is none): found once, read on every routing step.
    private let queryMark: String.Index

    private enum State {
        case waiting
        /// Head sent; `status` and `bytesOut` are for the access log.
        case streaming(status: Int)
        /// `abortStream` ran: the socket is shut once the bytes already queued are written.
        case aborting(status: Int)
        case done
    }

    private var state = State.waiting
    private var request: OpaquePointer?
    private var bytesOut = 0
    private let inFlight: InFlightGauge
    /// The connection the request came on (nil only if libevent already let it go).
    private let client: ClientConnection?
    private let onAnswered: ((ServerExchange, Int, Int) -> Void)?
    /// While set, the client connection's close callback points at this exchange (retained).
    private var closeWatch: ClientCloseWatch?
    /// Called once if the client goes away before the answer ends.
    private var onClientGone: (() -> Void)?
    /// Called when everything queued for the client has been written (back-pressure).
    var onDrained: (() -> Void)?

    /// - Parameter onAnswered: called once with the status and body size, when the answer is handed to libevent
    ///   (or, for a stream, when it ends).
    init(
        request: OpaquePointer,
        loop: EventLoop,
        client: ClientConnection?,
        inFlight: InFlightGauge,
        onAnswered: ((ServerExchange, Int, Int) -> Void)?
    ) {
        self.request = request
        self.loop = loop
        self.client = client
        self.inFlight = inFlight
        self.onAnswered = onAnswered
        inFlight.increment()
        self.receivedAt = loop.now
        self.method = ServerExchange.methodName(evhttp_request_get_command(request))
        let target = evhttp_request_get_uri(request).map { String(cString: $0) } ?? "/"
        self.target = target
        self.queryMark = target.utf8.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex
        self.headers = HeaderList.read(evhttp_request_get_input_headers(request))
        self.body = EvBuffer.bytes(of: evhttp_request_get_input_buffer(request))
        self.requestID = RequestID.resolve(
            headers.first { $0.name.caseInsensitiveEquals("X-Request-Id") }?.value,
            random: &loop.random
        )
        self.isHTTP10 = maas_evhttp_request_is_http10(request) != 0
        self.peerAddress = ServerExchange.peer(of: request)
    }

    /// The path part of the target (before `?`).
    var path: Substring { target[..<queryMark] }

    /// The query without `?`, nil when there is none.
    var query: Substring? {
        queryMark == target.endIndex ? nil : target[target.utf8.index(after: queryMark)...]
    }

    /// The first value of a header, matched case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of a header, in the order received.
    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    var isAnswered: Bool {
        if case .waiting = state { return false }
        return true
    }

    /// Sends a complete response with `Content-Length`. Only the first answer has an effect.
    func respond(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        guard case .waiting = state, let request else {
            return assertIfAnswered()
        }
        let buffer = evbuffer_new()
        defer { evbuffer_free(buffer) }
        body.withUnsafeBytes { raw in _ = evbuffer_add(buffer, raw.baseAddress, raw.count) }
        respond(status: status, headers: headers, buffer: buffer, request: request)
    }

    /// Sends a complete response whose body is moved out of `buffer` (an upstream's input buffer).
    func respond(status: Int, headers: [HTTPHeader], movingBodyFrom buffer: OpaquePointer?) {
        guard case .waiting = state, let request else {
            return assertIfAnswered()
        }
        respond(status: status, headers: headers, buffer: buffer, request: request)
    }

    private func respond(status: Int, headers: [HTTPHeader], buffer: OpaquePointer?, request: OpaquePointer) {
        addHeaders(headers, to: request)
        let size = buffer.map { evbuffer_get_length($0) } ?? 0
        // The close watch must be gone in the same frame as the reply (LIBEVENT.md: use-after-free).
        stopWatchingClient()
        state = .done
        self.request = nil
        evhttp_send_reply(request, Int32(status), HTTPStatus.reason(status), buffer)
        end(status: status, bytesOut: size)
    }

    // MARK: Streaming (SPEC 5.4)

    /// Starts noticing the client leaving: `onGone` runs once if it does before the answer ends.
    ///
    /// Only the close callback is registered here; while the exchange waits for an upstream head,
    /// evhttp has stopped reading the client socket, so a silent disconnect is seen once
    /// `listenWhileWaiting` re-arms reads.
    func watchClient(onGone: @escaping () -> Void) {
        guard case .waiting = state, let request, let client,
            let connection = evhttp_request_get_connection(request)
        else { return }
        onClientGone = onGone
        closeWatch = ClientCloseWatch(exchange: self, connection: connection, client: client)
    }

    /// Re-arms reads on the client socket without a read callback, so EOF or an error is noticed
    /// while no answer has started (LIBEVENT.md). Costs a system call, so callers do it only once
    /// a wait has lasted (most answers start within milliseconds).
    func listenWhileWaiting() {
        guard case .waiting = state else { return }
        closeWatch?.armWhileWaiting()
    }

    /// The close watch, created on first need: a streamed reply always needs one.
    private func ensureCloseWatch(_ request: OpaquePointer) -> ClientCloseWatch? {
        if let closeWatch { return closeWatch }
        guard let client, let connection = evhttp_request_get_connection(request) else { return nil }
        let watch = ClientCloseWatch(exchange: self, connection: connection, client: client)
        closeWatch = watch
        return watch
    }

    /// Sends the head of a streamed answer. Without `Content-Length` evhttp frames the body as
    /// chunks for HTTP/1.1; an HTTP/1.0 client gets `Connection: close` and a close-delimited body.
    func startStream(status: Int, headers: [HTTPHeader]) {
        guard case .waiting = state, let request else { return assertIfAnswered() }
        var headers = headers
        let hasLength = headers.contains { $0.name.caseInsensitiveEquals("Content-Length") }
        if isHTTP10 && !hasLength {
            // evhttp decides keep-alive from the request's own `Connection: keep-alive` and would then
            // frame the stream as `Content-Length: 0` (LIBEVENT.md): forget it, and close instead.
            evhttp_remove_header(evhttp_request_get_input_headers(request), "Connection")
            headers.append(HTTPHeader("Connection", "close"))
        }
        addHeaders(headers, to: request)
        let watch = ensureCloseWatch(request)
        watch?.prepareForReply()
        state = .streaming(status: status)
        evhttp_send_reply_start(request, Int32(status), HTTPStatus.reason(status))
        // A streamed reply may outlive evhttp's one inactivity timeout: the client sends nothing
        // while it reads, so only writes stay bounded (a client that stops reading is dropped).
        watch?.disableReadTimeout()
    }

    /// Moves everything in `buffer` to the client. Returns the bytes queued for the client and not
    /// yet written; above a bound the caller pauses its source until `onDrained`.
    @discardableResult
    func sendChunk(movingFrom buffer: OpaquePointer?) -> Int {
        guard case .streaming = state, let request, let buffer, let watch = closeWatch else { return 0 }
        bytesOut += evbuffer_get_length(buffer)
        // The watch is registered (retained) until the reply ends, so it outlives this callback.
        evhttp_send_reply_chunk_with_cb(
            request,
            buffer,
            serverExchangeDrainedTrampoline,
            Unmanaged.passUnretained(watch).toOpaque()
        )
        return watch.queuedBytes
    }

    /// Ends a streamed answer as complete (the final chunk for chunked framing).
    func finishStream() {
        guard case .streaming(let status) = state, let request else { return }
        closeWatch?.restoreTimeouts()
        stopWatchingClient()
        state = .done
        self.request = nil
        evhttp_send_reply_end(request)
        end(status: status, bytesOut: bytesOut)
    }

    /// Cuts a streamed answer off so the client sees it incomplete (SPEC 5.4): the bytes already
    /// queued are written, then the socket is shut without the final chunk.
    func abortStream() {
        guard case .streaming(let status) = state, let watch = closeWatch else { return }
        state = .aborting(status: status)
        notes.aborted = true
        if watch.queuedBytes == 0 { watch.shutdownSocket() }
    }

    /// The client connection's bytes were all written.
    fileprivate func drained() {
        switch state {
        case .streaming: onDrained?()
        case .aborting: closeWatch?.shutdownSocket()
        default: break
        }
    }

    /// The client connection closed while this exchange still owned its close callback.
    fileprivate func clientClosed(requestDetached: Bool) {
        guard let request else { return }
        self.request = nil
        closeWatch = nil
        // Detached (evcon NULL): libevent dropped the request and it is ours to free (LIBEVENT.md).
        if requestDetached { evhttp_request_free(request) }
        let status: Int
        switch state {
        case .streaming(let sent), .aborting(let sent): status = sent
        default: status = 499
        }
        if case .aborting = state {} else { notes.clientGone = true }
        state = .done
        end(status: status, bytesOut: bytesOut)
        let gone = onClientGone
        onClientGone = nil
        onDrained = nil
        gone?()
    }

    private func stopWatchingClient() {
        closeWatch?.disarm()
        closeWatch = nil
        onClientGone = nil
        onDrained = nil
    }

    private func end(status: Int, bytesOut: Int) {
        inFlight.decrement()
        onAnswered?(self, status, bytesOut)
    }

    private func addHeaders(_ headers: [HTTPHeader], to request: OpaquePointer) {
        let output = evhttp_request_get_output_headers(request)
        for header in headers { evhttp_add_header(output, header.name, header.value) }
        evhttp_add_header(output, "X-Request-Id", requestID)
    }

    private func assertIfAnswered() {
        if case .done = state { return }
        assertionFailure("answer out of turn")
    }

    private static func peer(of request: OpaquePointer) -> String {
        guard let connection = evhttp_request_get_connection(request) else { return "" }
        var address: UnsafeMutablePointer<CChar>?
        var port: UInt16 = 0
        evhttp_connection_get_peer(connection, &address, &port)
        return address.map { String(cString: $0) } ?? ""
    }

    static func methodName(_ command: evhttp_cmd_type) -> String {
        switch command {
        case EVHTTP_REQ_GET: "GET"
        case EVHTTP_REQ_POST: "POST"
        case EVHTTP_REQ_HEAD: "HEAD"
        case EVHTTP_REQ_PUT: "PUT"
        case EVHTTP_REQ_DELETE: "DELETE"
        case EVHTTP_REQ_OPTIONS: "OPTIONS"
        case EVHTTP_REQ_TRACE: "TRACE"
        case EVHTTP_REQ_CONNECT: "CONNECT"
        case EVHTTP_REQ_PATCH: "PATCH"
        default: "UNKNOWN"
        }
    }
}

/// The client connection's close callback and socket settings for one exchange.
///
/// Holds a +1 retain on itself while registered with libevent; `disarm` (same frame as the reply)
/// or the close callback releases it.
final class ClientCloseWatch {
    /// Strong on purpose: libevent may call back after everyone else let the exchange go (an
    /// aborted stream waits for its socket to close); the cycle ends in `disarm` or `closed`.
    private let exchange: ServerExchange
    private let connection: OpaquePointer
    private let client: ClientConnection
    private var registered = false
    private var savedWatermark: (low: Int, high: Int)?
    private var savedTimeouts = false

    init(exchange: ServerExchange, connection: OpaquePointer, client: ClientConnection) {
        self.exchange = exchange
        self.connection = connection
        self.client = client
        _ = Unmanaged.passRetained(self)
        registered = true
        // The connection owns evhttp's close callback for its whole life and passes it on here.
        client.closeListener = self
    }

    private var bufferevent: OpaquePointer? { evhttp_connection_get_bufferevent(connection) }

    /// Bytes queued for the client and not yet written.
    var queuedBytes: Int {
        guard let bufferevent else { return 0 }
        return evbuffer_get_length(bufferevent_get_output(bufferevent))
    }

    /// Re-arms reads with no read callback (evhttp's event callback still reports EOF and errors),
    /// and a small input bound so a pipelining client cannot make us buffer its next requests.
    func armWhileWaiting() {
        guard let bufferevent else { return }
        var readCallback: bufferevent_data_cb?
        var writeCallback: bufferevent_data_cb?
        var eventCallback: bufferevent_event_cb?
        var argument: UnsafeMutableRawPointer?
        bufferevent_getcb(bufferevent, &readCallback, &writeCallback, &eventCallback, &argument)
        var low = 0
        var high = 0
        _ = bufferevent_getwatermark(bufferevent, Int16(EV_READ), &low, &high)
        savedWatermark = (low, high)
        bufferevent_setwatermark(bufferevent, Int16(EV_READ), 0, 4096)
        bufferevent_setcb(bufferevent, nil, writeCallback, eventCallback, argument)
        bufferevent_enable(bufferevent, Int16(EV_READ))
        // The client is silent while it waits (up to `upstream.responseTimeout`), by design.
        disableReadTimeout()
    }

    /// Undoes `armWhileWaiting` before evhttp writes a reply (it installs its own callbacks then).
    func prepareForReply() {
        guard let bufferevent, let saved = savedWatermark else { return }
        savedWatermark = nil
        bufferevent_setwatermark(bufferevent, Int16(EV_READ), saved.low, saved.high)
    }

    func disableReadTimeout() {
        guard let bufferevent else { return }
        var write = maas_timeval_ms(Int64(ServerTimeouts.connectionSeconds) * 1000)
        bufferevent_set_timeouts(bufferevent, nil, &write)
        savedTimeouts = true
    }

    /// Puts evhttp's inactivity timeout back for the next request on a keep-alive connection.
    func restoreTimeouts() {
        guard savedTimeouts, let bufferevent else { return }
        savedTimeouts = false
        var both = maas_timeval_ms(Int64(ServerTimeouts.connectionSeconds) * 1000)
        bufferevent_set_timeouts(bufferevent, &both, &both)
    }

    func shutdownSocket() {
        guard let bufferevent else { return }
        _ = maas_shutdown_socket(bufferevent_getfd(bufferevent))
    }

    /// Unregisters the close callback and releases the self-retain. Same frame as the reply.
    func disarm() {
        prepareForReply()
        restoreTimeouts()
        guard registered else { return }
        registered = false
        if client.closeListener === self { client.closeListener = nil }
        Unmanaged.passUnretained(self).release()
    }

    /// The client connection is closing (its close callback, passed on by `ClientConnection`).
    func clientClosed() {
        guard registered else { return }
        registered = false
        client.closeListener = nil
        let detached = exchange.requestConnectionIsGone
        exchange.clientClosed(requestDetached: detached)
        Unmanaged.passUnretained(self).release()
    }

    fileprivate func drained() { exchange.drained() }
}

extension ServerExchange {
    /// True when libevent detached the request from its connection (the request is ours to free).
    fileprivate var requestConnectionIsGone: Bool {
        guard let request else { return false }
        return evhttp_request_get_connection(request) == nil
    }
}

/// The inactivity timeout evhttp applies to client connections (LIBEVENT.md: without one there is
/// none): an idle keep-alive connection, or a client that sends nothing of its request, or reads
/// nothing of a reply, for this long is closed. Lifted while a client legitimately waits (for an
/// upstream head) or only reads (a stream); the upstream timers of SPEC 5.5 bound those phases.
enum ServerTimeouts {
    static let connectionSeconds: Int32 = 60
}

private func serverExchangeDrainedTrampoline(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ClientCloseWatch>.fromOpaque(context).takeUnretainedValue().drained()
}

/// Reading and writing libevent header lists (`evkeyvalq`, a TAILQ Swift walks by hand).
enum HeaderList {
    static func read(_ list: UnsafeMutablePointer<evkeyvalq>?) -> [HTTPHeader] {
        guard let list else { return [] }
        var headers: [HTTPHeader] = []
        var entry = maas_evkeyvalq_first(list)
        while let current = entry {
            headers.append(HTTPHeader(String(cString: current.pointee.key), String(cString: current.pointee.value)))
            entry = maas_evkeyval_next(current)
        }
        return headers
    }
}

/// Copies out of libevent buffers.
enum EvBuffer {
    static func bytes(of buffer: OpaquePointer?) -> [UInt8] {
        guard let buffer else { return [] }
        let count = evbuffer_get_length(buffer)
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { storage, initialized in
            initialized = Int(evbuffer_copyout(buffer, storage.baseAddress, count))
        }
    }
}

extension String {
    /// ASCII case-insensitive comparison, as header names compare (RFC 9110 5.1).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let lhs = utf8
        let rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).allSatisfy { a, b in
            a == b || (a ^ 0x20 == b && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z"))
        }
    }
}
