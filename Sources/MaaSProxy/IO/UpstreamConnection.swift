import AccessCheck
import CLibevent
import Glibc
import HTTP1

/// What an upstream call tells whoever sent it. Called on the loop thread, from the connection's
/// events; after `upstreamEnded` or `upstreamFailed` nothing more is called.
protocol UpstreamResponseHandler: AnyObject {
    func upstreamHead(_ head: ResponseHead)
    /// Payload bytes of the response body, valid only during the call.
    func upstreamBody(_ bytes: UnsafeRawBufferPointer)
    /// The connection read what the socket had: a good moment to flush what was queued.
    func upstreamBatchEnded()
    /// The whole response arrived. The handler gives the connection back to the pool.
    func upstreamEnded()
    func upstreamFailed(_ failure: UpstreamFailure)
    /// Everything queued for the backend was written (back-pressure on a streamed request body).
    func upstreamDrained()
}

extension UpstreamResponseHandler {
    func upstreamDrained() {}
}

/// Why an upstream call failed (the reason is for the log, never for the client).
enum UpstreamFailure: Error, Equatable {
    /// No connection: refused, unresolvable, TLS refused.
    case connectFailed(String)
    /// The connection closed or reset before any byte of the response. `reused`: it had carried a
    /// request before, so a body-less idempotent request may be sent once more (docs/LIBEVENT.md).
    case closedBeforeResponse(String, reused: Bool)
    /// A response that is not HTTP/1.1 as the codec reads it, or an oversized head.
    case invalidResponse(String)
    case timedOut(UpstreamPhase.Expiry)
    /// The body broke off after the head (EOF, reset, bad chunk).
    case brokenBody(String)

    var reason: String {
        switch self {
        case .connectFailed(let why): "cannot connect: \(why)"
        case .closedBeforeResponse(let why, _): "upstream closed the connection before answering: \(why)"
        case .invalidResponse(let why): "invalid response: \(why)"
        case .timedOut(.connectTimedOut): "no connection in time"
        case .timedOut(.responseTimedOut): "no response head in time"
        case .timedOut(.idleTimedOut): "no body byte in time"
        case .timedOut(.totalTimedOut): "timed out"
        case .timedOut(.notYet): "timed out"
        case .brokenBody(let why): "the response body broke off: \(why)"
        }
    }
}

extension UpstreamFailure {
    /// What a failure says about its origin (SPEC 3.2, 5.5).
    enum HealthVerdict: Equatable {
        /// Refused, unresolvable, no connection in time, TLS refused, reset or closed before any
        /// byte of a status on a fresh connection: the origin cannot be reached.
        case unreachable
        /// Connected but no status in time.
        case unanswered
        /// Nothing about reachability: a reused connection closed (the keep-alive race), a reply
        /// that is not HTTP, a body that broke off after its head.
        case none
    }

    var healthVerdict: HealthVerdict {
        switch self {
        case .connectFailed: .unreachable
        case .closedBeforeResponse(_, let reused): reused ? .none : .unreachable
        case .timedOut(.connectTimedOut): .unreachable
        case .timedOut: .unanswered
        case .invalidResponse, .brokenBody: .none
        }
    }
}

/// What goes upstream: the head and the body, already rewritten (SPEC 5.3).
struct UpstreamRequest: Sendable {
    enum Head: Sendable {
        /// The proxy's own request (a probe, a watch): origin-form target with the query, and
        /// every field, `Host` and `Content-Length` included.
        case fields(target: String, headers: [HTTPHeader])
        /// A client's request forwarded, written from its bytes.
        case forwarded(ForwardedHead)
    }

    var method: String
    var head: Head
    var body: [UInt8]

    init(method: String, target: String, headers: [HTTPHeader], body: [UInt8]) {
        self.method = method
        self.head = .fields(target: target, headers: headers)
        self.body = body
    }

    init(forwarding head: ForwardedHead, body: [UInt8]) {
        self.method = head.method
        self.head = .forwarded(head)
        self.body = body
    }
}

/// One keep-alive HTTP/1.1 connection to a backend, carrying one request at a time. Loop-thread
/// only. Owned by its pool while idle, by the call's handler while busy (the handler holds the
/// connection, the connection holds the handler until the call ends: the cycle ends there).
final class UpstreamConnection: TransportDelegate {
    /// Upstream response heads larger than this are refused (502).
    static let maxResponseHeadBytes = 256 * 1024

    let origin: UpstreamOrigin
    private let loop: EventLoop
    private let tls: UpstreamTLSContext?
    private var transport: Transport?
    private let input = ByteBuffer()
    private let output = ByteBuffer()
    private var parser = ResponseHeadParser(maxHeadBytes: UpstreamConnection.maxResponseHeadBytes)
    private var decoder = BodyDecoder(framing: .none)
    private var keepAliveAfter = false
    private var phase = UpstreamPhase.idle
    private var deadlines = UpstreamDeadlines(connect: .seconds(5), response: .seconds(600), idle: .seconds(300))
    private var handler: UpstreamResponseHandler?
    private var requestWasHEAD = false
    private var resolving: OpaquePointer?
    /// Requests answered whole on this connection (a later failure before any byte may be the race
    /// with the backend closing an idle connection).
    private(set) var requestsServed = 0
    private var sawResponseByte = false
    private var readingPaused = false
    private var reading = false
    private var readAgain = false
    /// One read's size: 16 KiB, doubling up to 64 KiB while reads fill it (a large body), back to
    /// 16 KiB after a short one (a stream between events keeps a small buffer, or none).
    private var readSize = 16384
    private var timer: OpaquePointer?
    private var timerDue: MonotonicInstant?
    /// When it last went back to the pool.
    var idleSince = MonotonicInstant(nanoseconds: 0)
    /// When an answer on it was last reported to backend health (`reportAnswered(on:)`).
    var lastAnswerReported: MonotonicInstant?
    /// Called when an idle connection is closed by its backend, so the pool forgets it.
    var onIdleClose: ((UpstreamConnection) -> Void)?
    /// True when the connection can carry another request.
    private(set) var isReusable = false
    /// How the request body still being sent is framed; nil once it is whole (or there is none).
    private var openBody: RequestBodyStream.Framing?

    /// Request bytes queued and not yet written.
    var queuedRequestBytes: Int { output.count }

    init(origin: UpstreamOrigin, loop: EventLoop, tls: UpstreamTLSContext?) {
        self.origin = origin
        self.loop = loop
        self.tls = tls
        timer = maas_evtimer_new(loop.base, upstreamTimerTrampoline, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        transport?.close()
        if let timer { event_free(timer) }
    }

    var isClosed: Bool { phase == .closed }
    var isIdle: Bool { phase == .idle }

    /// Why the backend's certificate was refused, when it was.
    func certificateError() -> String? { transport?.certificateError() }

    // MARK: Sending

    /// Sends `request` and reports its response to `handler`. Connects first when needed.
    /// - Parameter requestWasHEAD: the response to a HEAD has no body whatever its headers say.
    /// - Parameter holdingHead: queue the head without writing it: a streamed body follows at once
    ///   (`openBody`), and what of it is already here goes in the same write (`flushQueued`).
    func send(
        _ request: UpstreamRequest,
        deadlines: UpstreamDeadlines,
        handler: UpstreamResponseHandler,
        holdingHead: Bool = false
    ) {
        precondition(phase == .idle, "one request at a time")
        self.handler = handler
        self.deadlines = deadlines
        requestWasHEAD = request.method == "HEAD"
        openBody = nil
        sawResponseByte = false
        isReusable = false
        parser.reset()
        input.removeAll()
        write(request)
        let now = loop.now
        if let transport, !transport.isClosed {
            phase = .awaitingHead(since: now, started: now)
            updateTimer()
            if !holdingHead { flush() }
            // An idle connection the backend closed meanwhile: its EOF may be waiting unread.
            if transport.canRead { readAvailable() }
        } else {
            phase = .connecting(since: now, started: now)
            updateTimer()
            connect()
        }
    }

    /// After `send`: the body follows in pieces (`writeBody`, then `endBody`), framed as `framing`
    /// (the request's head says so already: `Content-Length` or `Transfer-Encoding: chunked`).
    func openBody(_ framing: RequestBodyStream.Framing) {
        openBody = framing
    }

    func writeBody(_ bytes: UnsafeRawBufferPointer) {
        guard let openBody, phase != .closed, bytes.count > 0 else { return }
        if case .chunked = openBody {
            output.appendHex(bytes.count)
            output.append("\r\n")
            output.append(bytes)
            output.append("\r\n")
        } else {
            output.append(bytes)
        }
        flush()
    }

    /// Writes what is queued (the head held by `send`).
    func flushQueued() {
        guard phase != .closed, transport != nil else { return }
        flush()
    }

    func endBody() {
        guard let openBody, phase != .closed else { return }
        if case .chunked = openBody { output.append("0\r\n\r\n") }
        self.openBody = nil
        flush()
    }

    private func write(_ request: UpstreamRequest) {
        switch request.head {
        case .fields(let target, let headers):
            output.append(string: request.method)
            output.append(" ")
            output.append(string: target)
            output.append(" HTTP/1.1\r\n")
            for header in headers { output.appendField(header.name, header.value) }
            output.append("\r\n")
        case .forwarded(let head):
            head.write(into: output)
        }
        output.append(request.body)
    }

    // MARK: Connecting

    private func connect() {
        if let address = NumericAddress(host: origin.host, port: origin.port) {
            return address.withSockAddr { open($0, $1) }
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        // Retained until the callback, which may run before evdns_getaddrinfo returns.
        let context = Unmanaged.passRetained(self).toOpaque()
        resolving = evdns_getaddrinfo(
            loop.dns,
            origin.host,
            String(origin.port),
            &hints,
            upstreamResolvedTrampoline,
            context
        )
    }

    fileprivate func resolved(_ result: Int32, _ addresses: UnsafeMutablePointer<addrinfo>?) {
        resolving = nil
        defer { if let addresses { evutil_freeaddrinfo(addresses) } }
        guard phase != .closed else { return }
        guard result == 0, let first = addresses, let address = first.pointee.ai_addr else {
            let why = String(cString: evutil_gai_strerror(result))
            return fail(.connectFailed("cannot resolve \(origin.host): \(why)"))
        }
        open(address, socklen_t(first.pointee.ai_addrlen))
    }

    private func open(_ address: UnsafePointer<sockaddr>, _ length: socklen_t) {
        var error: Int32 = 0
        let fd = maas_connect(address, length, &error)
        guard fd >= 0 else { return fail(.connectFailed(String(cString: strerror(error)))) }
        var ssl: OpaquePointer?
        if origin.scheme == "https" {
            guard let tls, let made = tls.makeSSL(host: origin.host) else {
                Glibc.close(fd)
                return fail(.connectFailed("no TLS context for \(origin)"))
            }
            ssl = made
        }
        let transport = Transport(loop: loop, fd: fd, ssl: ssl, connecting: true)
        transport.delegate = self
        self.transport = transport
    }

    // MARK: Events

    func transportWritable() {
        guard let transport else { return }
        if case .connecting = phase, let why = transport.connectError() { return fail(.connectFailed(why)) }
        flush()
    }

    private func flush() {
        guard let transport else { return }
        while !output.isEmpty, transport.canWrite {
            switch output.withUnreadBytes({ transport.write($0) }) {
            case .wrote(let count):
                if count == 0 { return }
                output.consume(count)
                if case .connecting(_, let started) = phase {
                    // The first request byte is out: connected, and over TLS the handshake is done
                    // (SSL_write writes nothing before), so the connect timeout covers both.
                    phase = .awaitingHead(since: loop.now, started: started)
                    updateTimer()
                }
            case .failed(let why):
                if transport.isTLS && requestsServed == 0 {
                    return fail(.connectFailed(transport.certificateError() ?? why))
                }
                return fail(.closedBeforeResponse(why, reused: requestsServed > 0))
            }
        }
        if output.isEmpty {
            output.releaseIfEmpty()
            if openBody != nil { handler?.upstreamDrained() }
        }
    }

    func transportReadable() {
        readAvailable()
    }

    /// Reads while the socket has bytes and the handler wants them. Not re-entered: a call from
    /// inside (a relay resuming from its client's drain) makes the running loop go round again.
    private func readAvailable() {
        guard !reading else {
            readAgain = true
            return
        }
        guard let transport else { return }
        reading = true
        defer { reading = false }
        repeat {
            readAgain = false
            var readSomething = false
            while transport.canRead, !readingPaused, phase != .closed {
                switch transport.read(into: input, limit: readSize) {
                case .read(let count):
                    readSize = count == readSize ? min(readSize * 2, 65536) : 16384
                    readSomething = true
                    if phase == .idle {
                        // Bytes nobody asked for on an idle connection: it cannot be trusted again.
                        return closeIdle()
                    }
                    sawResponseByte = true
                    process()
                case .wouldBlock:
                    break
                case .closed:
                    return peerClosed(why: "EOF")
                case .failed(let why):
                    if transport.isTLS && requestsServed == 0 && !sawResponseByte {
                        return fail(.connectFailed(transport.certificateError() ?? why))
                    }
                    return peerClosed(why: why)
                }
            }
            if readSomething, phase != .closed, phase != .idle { handler?.upstreamBatchEnded() }
        } while readAgain && phase != .closed
        // A stream between events holds no buffer: memory follows what is in flight, not connections.
        input.releaseIfEmpty()
    }

    /// Parses and decodes what is buffered.
    private func process() {
        while phase != .closed, phase != .idle, !readingPaused {
            switch phase {
            case .connecting, .awaitingHead(_, _):
                guard case .awaitingHead(_, let started) = phase else { return }
                let parsed = input.withUnreadBytes { parser.parse($0, requestWasHEAD: requestWasHEAD) }
                switch parsed {
                case .needMore:
                    return
                case .interim(let consumed):
                    input.consume(consumed)
                    parser.reset()
                case .invalid(let why):
                    return fail(.invalidResponse(why))
                case .head(let head, let consumed):
                    input.consume(consumed)
                    decoder = BodyDecoder(framing: head.framing)
                    keepAliveAfter = head.keepAlive
                    phase = .readingBody(lastByte: loop.now, started: started)
                    updateTimer()
                    handler?.upstreamHead(head)
                }
            case .readingBody(_, let started):
                phase = .readingBody(lastByte: loop.now, started: started)
                let step = input.withUnreadBytes { bytes -> BodyStep in
                    let step = decoder.next(bytes)
                    if case .data(let range) = step.event {
                        handler?.upstreamBody(UnsafeRawBufferPointer(rebasing: bytes[range]))
                    }
                    return step
                }
                guard phase != .closed else { return }
                input.consume(step.consumed)
                switch step.event {
                case .data: continue
                case .needMore: return
                case .end: return finish()
                case .invalid(let why): return fail(.brokenBody(why))
                case .tooLarge: return fail(.brokenBody("too large"))
                }
            case .idle, .closed:
                return
            }
        }
    }

    private func peerClosed(why: String) {
        switch phase {
        case .idle:
            closeIdle()
        case .connecting:
            fail(.connectFailed(why))
        case .awaitingHead:
            fail(
                sawResponseByte
                    ? .invalidResponse("closed inside the head")
                    : .closedBeforeResponse(why, reused: requestsServed > 0)
            )
        case .readingBody:
            if decoder.finishAtClose() {
                keepAliveAfter = false
                finish()
            } else {
                fail(.brokenBody(why))
            }
        case .closed:
            break
        }
    }

    /// The response is whole: the connection can carry another request only when the backend
    /// keeps it alive and sent nothing past the response (bytes after a HEAD answer or a body
    /// would otherwise be read as the next caller's answer).
    private func finish() {
        // An answer that came before the request body was sent whole leaves the connection mid-request.
        isReusable =
            keepAliveAfter && openBody == nil && input.isEmpty && output.isEmpty && transport?.isClosed == false
        requestsServed += 1
        phase = .idle
        timerDue = nil
        if let timer { event_del(timer) }
        input.releaseIfEmpty()
        let handler = self.handler
        self.handler = nil
        if !isReusable { close() }
        handler?.upstreamEnded()
    }

    private func fail(_ failure: UpstreamFailure) {
        let handler = self.handler
        self.handler = nil
        close()
        handler?.upstreamFailed(failure)
    }

    private func closeIdle() {
        close()
        onIdleClose?(self)
    }

    // MARK: Control

    /// Stops reading the response (back-pressure from a slow client).
    func pauseReading() { readingPaused = true }

    func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        if case .readingBody(_, let started) = phase { phase = .readingBody(lastByte: loop.now, started: started) }
        process()
        // What `process` handed over from the buffer is queued, not yet written.
        if phase != .closed && phase != .idle { handler?.upstreamBatchEnded() }
        readAvailable()
    }

    /// Closes the connection; the handler hears nothing more (the caller ends the call itself).
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        handler = nil
        isReusable = false
        if let timer { event_del(timer) }
        timerDue = nil
        if let resolving {
            self.resolving = nil
            evdns_getaddrinfo_cancel(resolving)
        }
        transport?.close()
    }

    // MARK: Timer

    private func updateTimer() {
        guard let due = phase.deadline(deadlines), let timer else { return }
        if let timerDue, timerDue <= due { return }
        var timeout = maas_timeval_ms(loop.now.millisecondsRoundedUp(until: due))
        event_add(timer, &timeout)
        timerDue = due
    }

    fileprivate func timerFired() {
        timerDue = nil
        if readingPaused, case .readingBody(_, let started) = phase {
            // Paused for a slow client: the backend's silence is ours, not its.
            phase = .readingBody(lastByte: loop.now, started: started)
        }
        let expiry = phase.expiry(at: loop.now, deadlines)
        guard expiry != .notYet else { return updateTimer() }
        fail(.timedOut(expiry))
    }
}

private func upstreamTimerTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let connection = Unmanaged<UpstreamConnection>.fromOpaque(context).takeUnretainedValue()
    withExtendedLifetime(connection) { connection.timerFired() }
}

private func upstreamResolvedTrampoline(
    _ result: Int32,
    _ addresses: UnsafeMutablePointer<addrinfo>?,
    _ context: UnsafeMutableRawPointer?
) {
    guard let context else { return }
    let connection = Unmanaged<UpstreamConnection>.fromOpaque(context).takeRetainedValue()
    if result == EVUTIL_EAI_CANCEL {
        if let addresses { evutil_freeaddrinfo(addresses) }
        return
    }
    connection.resolved(result, addresses)
}
