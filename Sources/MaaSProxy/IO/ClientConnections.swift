import AccessCheck
import CLibevent
import Glibc

/// The client connections of one `HTTPServer`, from accept to close. Loop-thread only.
///
/// evhttp 2.1 says nothing about a connection until a whole request has arrived on it, and has one
/// inactivity timeout, so a client sending a byte a minute could hold a connection for weeks. The
/// server therefore makes each connection's bufferevent itself (`evhttp_set_bevcb`), learns the
/// evhttp connection one loop turn later from that bufferevent's callback argument (evhttp always
/// passes its connection there), and from then on owns the connection's close callback. That gives
/// each connection a `ClientConnection` to hang what evhttp lacks on: the deadline of the request
/// being read (`limits.requestReadTimeout`), and the one close callback that the exchange of the
/// moment listens to (`ClientCloseWatch`).
final class ClientConnections {
    private let loop: EventLoop
    private let tls: ListenerTLS?
    let readTimeout: Duration
    /// Called when a request begun on a connection did not arrive whole in time, just before the
    /// connection is closed. (A connection that sent nothing at all is closed without a word: an
    /// unasked-for 408 could be taken as the answer to a request the client sends at that moment.)
    var onReadTimeout: ((ClientConnection) -> Void)?
    /// Made in the bevcb and not yet matched with their evhttp connection, by bufferevent.
    private var pending: [OpaquePointer: ClientConnection] = [:]
    /// Matched with their evhttp connection, by that connection.
    private var attached: [OpaquePointer: ClientConnection] = [:]

    init(loop: EventLoop, tls: ListenerTLS?, readTimeout: Duration) {
        self.loop = loop
        self.tls = tls
        self.readTimeout = readTimeout
    }

    /// Installs the bufferevent callback on `http`. `self` must outlive `http`.
    func install(on http: OpaquePointer) {
        evhttp_set_bevcb(http, clientBuffereventTrampoline, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The connection a request arrived on, matched now if its first loop turn has not come yet.
    func connection(of request: OpaquePointer) -> ClientConnection? {
        guard let connection = evhttp_request_get_connection(request) else { return nil }
        if let client = attached[connection] { return client }
        guard let bufferevent = evhttp_connection_get_bufferevent(connection),
            let client = pending.removeValue(forKey: bufferevent)
        else { return nil }
        attach(client, to: connection)
        return client
    }

    /// evhttp's bevcb: a bufferevent for a connection just accepted (TLS when the listener is).
    fileprivate func makeBufferevent(base: OpaquePointer) -> OpaquePointer? {
        let made: OpaquePointer?
        if let tls {
            made = tls.makeBufferevent(base: base)
        } else {
            // What evhttp makes when there is no bevcb: it closes the socket itself.
            made = bufferevent_socket_new(base, -1, 0)
        }
        guard let bufferevent = made else { return nil }
        let client = ClientConnection(bufferevent: bufferevent, loop: loop, owner: self, isTLS: tls != nil)
        pending[bufferevent] = client
        // evhttp sets its callbacks (and the socket) after this returns; look at them next turn. The
        // reference keeps the bufferevent's memory valid even if evhttp drops the connection first.
        bufferevent_incref(bufferevent)
        var now = maas_timeval_ms(0)
        let adoption = Unmanaged.passRetained(client)
        guard event_base_once(base, -1, Int16(EV_TIMEOUT), clientAdoptTrampoline, adoption.toOpaque(), &now) == 0
        else {
            // Without the callback nothing would match or release it: drop it, and evhttp makes a
            // bufferevent of its own for this connection (untracked; only when memory runs out).
            adoption.release()
            pending[bufferevent] = nil
            client.closed()
            bufferevent_decref(bufferevent)
            bufferevent_free(bufferevent)
            return nil
        }
        return bufferevent
    }

    /// One loop turn after accept: match the bufferevent with its evhttp connection.
    fileprivate func adopt(_ client: ClientConnection) {
        let bufferevent = client.bufferevent
        defer { bufferevent_decref(bufferevent) }
        guard pending.removeValue(forKey: bufferevent) != nil else { return }  // matched by a request already
        var read: bufferevent_data_cb?
        var write: bufferevent_data_cb?
        var event: bufferevent_event_cb?
        var argument: UnsafeMutableRawPointer?
        bufferevent_getcb(bufferevent, &read, &write, &event, &argument)
        // evhttp frees a connection's bufferevent with its callbacks cleared: this one is gone already.
        guard event != nil, let argument else { return client.closed() }
        attach(client, to: OpaquePointer(argument))
    }

    private func attach(_ client: ClientConnection, to connection: OpaquePointer) {
        attached[connection] = client
        client.connection = connection
        evhttp_connection_set_closecb(connection, clientClosedTrampoline, Unmanaged.passUnretained(self).toOpaque())
    }

    /// After `evhttp_free`: connections still waiting for their first loop turn keep a bufferevent
    /// (our reference) whose socket evhttp has closed; stop it watching that socket number.
    func serverFreed() {
        for bufferevent in pending.keys { bufferevent_disable(bufferevent, Int16(EV_READ | EV_WRITE)) }
    }

    fileprivate func closed(_ connection: OpaquePointer) {
        attached.removeValue(forKey: connection)?.closed()
    }

    fileprivate func readTimedOut(_ client: ClientConnection) {
        onReadTimeout?(client)
    }
}

/// One accepted client connection: which phase its current request is in, and its read deadline.
final class ClientConnection {
    let bufferevent: OpaquePointer
    let isTLS: Bool
    private let loop: EventLoop
    private weak var owner: ClientConnections?
    /// The evhttp connection, once matched.
    fileprivate(set) var connection: OpaquePointer?
    /// The exchange of the moment that wants to hear of the close (at most one: evhttp serves one
    /// request of a connection at a time).
    weak var closeListener: ClientCloseWatch?

    private enum Phase {
        /// Between requests on a keep-alive connection; evhttp's inactivity timeout applies.
        case idle
        /// A request is due; it must be whole by `since + readTimeout`. `begun` once a byte of it came.
        case reading(since: MonotonicInstant, begun: Bool)
        /// evhttp handed the request over; the upstream timers bound what follows.
        case handling
    }

    private var phase: Phase
    /// One timer for the connection's life, re-armed only when it fires early (see `deadlinePassed`).
    private var deadline: OpaquePointer?
    private var deadlineArmed = false
    /// Tells the idle connection that its next request has started.
    private var inputWatch: OpaquePointer?

    fileprivate init(bufferevent: OpaquePointer, loop: EventLoop, owner: ClientConnections, isTLS: Bool) {
        self.bufferevent = bufferevent
        self.loop = loop
        self.owner = owner
        self.isTLS = isTLS
        // The first request (the TLS handshake included) is timed from accept.
        phase = .reading(since: loop.now, begun: false)
        deadline = maas_evtimer_new(loop.base, clientDeadlineTrampoline, Unmanaged.passUnretained(self).toOpaque())
        armDeadline(after: owner.readTimeout)
        watchInput()
    }

    deinit {
        if let deadline { event_free(deadline) }
    }

    /// evhttp handed a whole request to the server.
    func requestReceived() {
        phase = .handling
        unwatchInput()
    }

    /// evhttp wrote the request's whole answer (its on-complete callback, before it starts reading
    /// the next request): the next request starts with its first byte, which may already be here
    /// (pipelining).
    func answered() {
        guard case .handling = phase, connection != nil else { return }
        if evbuffer_get_length(bufferevent_get_input(bufferevent)) > 0 {
            startReading()
        } else {
            phase = .idle
            watchInput()
        }
    }

    /// The first bytes of the next request came.
    fileprivate func inputArrived() {
        unwatchInput()
        switch phase {
        case .idle: startReading()
        case .reading(let since, begun: false): phase = .reading(since: since, begun: true)
        default: break
        }
    }

    private func startReading() {
        phase = .reading(since: loop.now, begun: true)
        if !deadlineArmed, let owner { armDeadline(after: owner.readTimeout) }
    }

    /// One callback per request at most: on while waiting for a request's first byte, off after.
    private func watchInput() {
        let input = bufferevent_get_input(bufferevent)
        if let inputWatch {
            evbuffer_cb_set_flags(input, inputWatch, UInt32(EVBUFFER_CB_ENABLED))
        } else {
            inputWatch = evbuffer_add_cb(input, clientInputTrampoline, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    private func unwatchInput() {
        guard let inputWatch else { return }
        evbuffer_cb_clear_flags(bufferevent_get_input(bufferevent), inputWatch, UInt32(EVBUFFER_CB_ENABLED))
    }

    private func armDeadline(after delay: Duration) {
        guard let deadline else { return }
        var timeout = maas_timeval_ms(Int64(delay.milliseconds.rounded(.up)))
        event_add(deadline, &timeout)
        deadlineArmed = true
    }

    /// The timer stays armed across requests rather than being moved on every one; when it fires it
    /// looks at the request of the moment and either re-arms for what is left or gives up on it.
    fileprivate func deadlinePassed() {
        deadlineArmed = false
        guard case .reading(let since, let begun) = phase, let owner else { return }
        let due = since + owner.readTimeout
        let now = loop.now
        if now < due { return armDeadline(after: due.since(now)) }
        // evhttp is still writing an answer (one of its own refusals, or a reply whose completion
        // is not in yet): the next request's clock has not really started, and raw bytes now would
        // land in the middle of that answer. evhttp's write timeout bounds the writing.
        if evbuffer_get_length(bufferevent_get_output(bufferevent)) > 0 {
            return armDeadline(after: owner.readTimeout)
        }
        if begun { owner.readTimedOut(self) }
        // Frees the connection synchronously; its close callback ends up in `closed()`.
        if let connection {
            evhttp_connection_free(connection)
        } else {
            _ = maas_shutdown_socket(bufferevent_getfd(bufferevent))
        }
    }

    /// The connection is going away (close callback) or never got matched.
    fileprivate func closed() {
        if let deadline {
            event_del(deadline)
            deadlineArmed = false
        }
        if let inputWatch {
            evbuffer_remove_cb_entry(bufferevent_get_input(bufferevent), inputWatch)
            self.inputWatch = nil
        }
        connection = nil
        closeListener?.clientClosed()
    }

    /// Writes `bytes` straight to a plain socket, best effort and without blocking: for the last
    /// words before closing a connection evhttp is still reading from (its output path is not ours
    /// to use in that state).
    func sendBeforeClosing(_ bytes: [UInt8]) {
        guard !isTLS else { return }
        let fd = bufferevent_getfd(bufferevent)
        guard fd >= 0 else { return }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
    }
}

private func clientBuffereventTrampoline(_ base: OpaquePointer?, _ context: UnsafeMutableRawPointer?) -> OpaquePointer?
{
    guard let base, let context else { return nil }
    return Unmanaged<ClientConnections>.fromOpaque(context).takeUnretainedValue().makeBufferevent(base: base)
}

private func clientAdoptTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let client = Unmanaged<ClientConnection>.fromOpaque(context).takeRetainedValue()
    client.adoptByOwner()
}

extension ClientConnection {
    fileprivate func adoptByOwner() {
        if let owner {
            owner.adopt(self)
        } else {
            closed()
            // The server is gone; only our reference keeps the bufferevent.
            bufferevent_decref(bufferevent)
        }
    }
}

private func clientClosedTrampoline(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let connection, let context else { return }
    Unmanaged<ClientConnections>.fromOpaque(context).takeUnretainedValue().closed(connection)
}

private func clientDeadlineTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let client = Unmanaged<ClientConnection>.fromOpaque(context).takeUnretainedValue()
    withExtendedLifetime(client) { client.deadlinePassed() }
}

private func clientInputTrampoline(
    _ buffer: OpaquePointer?,
    _ info: UnsafePointer<evbuffer_cb_info>?,
    _ context: UnsafeMutableRawPointer?
) {
    guard let info, info.pointee.n_added > 0, let context else { return }
    Unmanaged<ClientConnection>.fromOpaque(context).takeUnretainedValue().inputArrived()
}
