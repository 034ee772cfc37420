import AccessCheck
import HTTP1
import Routing

/// What goes upstream for one forwarded call (SPEC 5.3): already routed and rewritten.
struct ForwardRequest {
    /// Where it goes: the candidate's origin (the head names the target and `Host`).
    var origin: UpstreamOrigin
    var head: ForwardedHead
    var body: [UInt8]
    /// A body that streams upstream as it arrives (path routing, SPEC 5.3); `body` is then empty.
    var bodyStream: RequestBodyStream?
    /// Count the tokens a 2xx answer reports (SPEC 7): an inference call, with `usage.enabled`.
    var metersUsage = false

    /// SPEC 5.5 / docs/LIBEVENT.md: only a body-less idempotent request may be sent again after it lost
    /// the race with an upstream closing an idle keep-alive connection.
    var isRetriable: Bool {
        body.isEmpty && bodyStream == nil && Self.idempotentMethods.contains(head.method)
    }

    private static let idempotentMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "DELETE"]
}

/// Who a forwarded call is for: what its observer needs when it hears of the call. Held by the
/// relay, so a call costs no closure contexts.
struct ForwardCall {
    let candidate: Candidate
    let caller: Caller
    /// When the relay started (the upstream latency's start).
    let startedAt: MonotonicInstant
}

/// What the handler that started a forwarded call hears of it (`ForwardHandler`). Loop thread only.
protocol ForwardObserver: AnyObject {
    /// The backend's status, as soon as its head arrived.
    func forwardReceivedHead(_ call: ForwardCall, status: Int, exchange: ServerExchange)
    /// Once, after the client's answer was queued whole (or cut off, or the client left).
    func forwardEnded(_ call: ForwardCall, outcome: ForwardOutcome, exchange: ServerExchange)
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
    /// The backend's origin is down (SPEC 3.2): `502 upstream_unavailable` at once, nothing sent.
    case originDown
}

/// Relays one forwarded call: the request upstream, the answer back as it arrives (SPEC 5.4).
///
/// Phases: waiting for the head → relaying (the head at once, then every piece of body as it
/// arrives, pausing upstream reads while more than `maxQueuedBytes` wait for a slow client) →
/// ended. A small answer whose head and body come in one read goes out in one write. Every end
/// goes through `end`, which runs once; the relay retains itself from `start` to `end`.
///
/// Backend health (SPEC 3.2, the pool's registry): a down origin is answered `502
/// upstream_unavailable` before anything is sent; a response head marks it up; a failure before
/// the head reports its kind (connect failure or timeout, TLS failure, reset before a status mark
/// it down); a client that leaves before the head frees a trial's slot.
final class ForwardRelay: @unchecked Sendable, UpstreamResponseHandler, ExchangeObserver {
    /// docs/LIBEVENT.md: pausing upstream reads above ~256 KiB queued for the client held a slow
    /// reader's proxy at 12 MB instead of 337 MB.
    static let maxQueuedBytes = 256 * 1024

    private enum Phase {
        case waitingForHead
        case relaying(status: Int)
        case ended
    }

    private let exchange: ServerExchange
    private let pool: UpstreamConnectionPool
    private let forward: ForwardRequest
    private let origin: UpstreamOrigin
    /// When the request in flight was sent (what its health report is matched by).
    private var sentAt = MonotonicInstant(nanoseconds: 0)
    private let deadlines: UpstreamDeadlines
    private let call: ForwardCall
    /// Set until the call ends (then it is told, once).
    private var observer: ForwardObserver?

    private var phase = Phase.waitingForHead
    private var connection: UpstreamConnection?
    private var retried = false
    private var readingPaused = false
    /// The streamed request body waits for the upstream socket to take what is queued.
    private var bodyPaused = false
    private var holdsSelf = false
    /// When the request's last byte was received: at once for a body read whole, at its end for a
    /// streamed one (the start of a stream's time to first token, SPEC 7).
    private var requestEndedAt: MonotonicInstant
    /// Reads the answer's usage as it is relayed; set at a metered answer's head.
    private var meter: UsageMeter?

    private init(
        exchange: ServerExchange,
        pool: UpstreamConnectionPool,
        forward: ForwardRequest,
        timeouts: ForwardTimeouts,
        call: ForwardCall,
        observer: ForwardObserver
    ) {
        self.exchange = exchange
        self.pool = pool
        self.forward = forward
        self.origin = forward.origin
        self.deadlines = UpstreamDeadlines(connect: timeouts.connect, response: timeouts.response, idle: timeouts.idle)
        self.call = call
        self.observer = observer
        self.requestEndedAt = exchange.loop.now
    }

    /// Sends `forward` and relays the answer to `exchange`. Loop thread of `pool` only.
    ///
    /// - Parameters:
    ///   - call, observer: `observer` hears of the head and of the end (once) with `call`.
    static func start(
        exchange: ServerExchange,
        pool: UpstreamConnectionPool,
        forward: ForwardRequest,
        timeouts: ForwardTimeouts,
        call: ForwardCall,
        observer: ForwardObserver
    ) {
        let relay = ForwardRelay(
            exchange: exchange,
            pool: pool,
            forward: forward,
            timeouts: timeouts,
            call: call,
            observer: observer
        )
        _ = Unmanaged.passRetained(relay)
        relay.holdsSelf = true
        exchange.observe(relay)
        relay.send()
    }

    private func send() {
        if let health = pool.health, case .refuse = health.admit(origin, now: pool.loop.now) {
            // SPEC 3.2: at once, without network traffic; the access line records the 502.
            exchange.respond(.upstreamUnavailable)
            return end(.originDown)
        }
        sentAt = pool.loop.now
        guard let (connection, _) = pool.acquire(origin) else {
            pool.health?.released(origin, sentAt: sentAt)
            return fail(.upstreamUnavailable, reason: "no connection can be made to \(origin.scheme) endpoints")
        }
        self.connection = connection
        let request = UpstreamRequest(forwarding: forward.head, body: forward.body)
        guard let stream = forward.bodyStream else {
            return connection.send(request, deadlines: deadlines, handler: self)
        }
        // The head waits for the body bytes already here, so a small body goes in the same write.
        connection.send(request, deadlines: deadlines, handler: self, holdingHead: true)
        connection.openBody(stream.framing)
        stream.start { [weak self] event in self?.requestBody(event) }
        self.connection?.flushQueued()
    }

    /// The client's body as it arrives, written upstream (SPEC 5.3), paused while the backend's
    /// socket holds more than `maxQueuedBytes` of it.
    private func requestBody(_ event: RequestBodyStream.Event) {
        guard !isEnded, let connection else { return }
        switch event {
        case .data(let bytes):
            connection.writeBody(bytes)
            if connection.queuedRequestBytes > ForwardRelay.maxQueuedBytes && !bodyPaused {
                bodyPaused = true
                forward.bodyStream?.pause()
            }
        case .end:
            requestEndedAt = exchange.loop.now
            connection.endBody()
        case .failed:
            // The client broke off its body: the backend must not take a truncated one for whole.
            clientLeft()
        }
    }

    func upstreamDrained() {
        guard bodyPaused else { return }
        bodyPaused = false
        forward.bodyStream?.resume()
    }

    // MARK: The upstream connection's events

    func upstreamHead(_ head: ResponseHead) {
        guard case .waitingForHead = phase else { return }
        let status = head.status
        if let connection { pool.reportAnswered(on: connection) }
        observer?.forwardReceivedHead(call, status: status, exchange: exchange)
        phase = .relaying(status: status)
        if forward.metersUsage && (200..<300).contains(status) {
            meter = UsageMeter(head: head, requestEndedAt: requestEndedAt)
        }
        exchange.startStream(relaying: head, flush: false)
    }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) {
        guard case .relaying = phase else { return }
        meter?.relayed(bytes, at: exchange.loop.now)
        let queued = exchange.sendChunk(bytes, flush: false)
        if queued > ForwardRelay.maxQueuedBytes && !readingPaused {
            readingPaused = true
            connection?.pauseReading()
        }
    }

    func upstreamBatchEnded() {
        exchange.flush()
    }

    func upstreamEnded() {
        guard case .relaying(let status) = phase else { return }
        releaseConnection()
        noteUsage()
        exchange.finishStream()
        end(.relayed(status: status))
    }

    func upstreamFailed(_ failure: UpstreamFailure) {
        connection = nil
        switch phase {
        case .waitingForHead:
            pool.reportFailure(failure, origin: origin, sentAt: sentAt, probe: false)
            if case .closedBeforeResponse(_, reused: true) = failure, !retried, forward.isRetriable {
                // The race with a backend closing an idle keep-alive connection (docs/LIBEVENT.md).
                retried = true
                return send()
            }
            if case .timedOut(let expiry) = failure, expiry != .connectTimedOut {
                return fail(.upstreamTimeout, reason: failure.reason)
            }
            fail(.upstreamUnavailable, reason: failure.reason)
        case .relaying:
            noteUsage()
            exchange.abortStream()
            end(.aborted)
        case .ended:
            break
        }
    }

    // MARK: The client's events

    func clientLeft() {
        guard !isEnded else { return }
        if case .waitingForHead = phase { pool.health?.released(origin, sentAt: sentAt) }
        // Closing the connection is what tells the backend to stop generating (SPEC 5.4).
        connection?.close()
        connection = nil
        noteUsage()
        end(.clientGone)
    }

    func clientDrained() {
        guard readingPaused, case .relaying = phase else { return }
        readingPaused = false
        connection?.resumeReading()
    }

    // MARK: Ending

    private var isEnded: Bool {
        if case .ended = phase { return true }
        return false
    }

    private func fail(_ error: ProxyError, reason: String) {
        connection?.close()
        connection = nil
        exchange.respond(error)
        end(.failed(error, reason: reason))
    }

    /// Hands what the answer reported to its access line and metrics (SPEC 7), before the exchange
    /// ends: a stream cut short or left by its client reports what had been seen.
    private func noteUsage() {
        // In place: copies of the meter (a few hundred bytes each) cost more than the report.
        guard let report = meter?.finish(at: exchange.loop.now) else { return }
        exchange.notes.usage = report
        meter = nil
    }

    private func releaseConnection() {
        guard let connection else { return }
        self.connection = nil
        pool.release(connection, reusable: true)
    }

    private func end(_ outcome: ForwardOutcome) {
        guard !isEnded else { return }
        phase = .ended
        let observer = self.observer
        self.observer = nil
        observer?.forwardEnded(call, outcome: outcome, exchange: exchange)
        if holdsSelf {
            holdsSelf = false
            // Every caller reaches here through a reference of its own (the connection's handler
            // call, the exchange's closure), so the relay outlives this frame.
            Unmanaged.passUnretained(self).release()
        }
    }
}
