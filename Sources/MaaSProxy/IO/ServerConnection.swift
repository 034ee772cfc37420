import AccessCheck
import CLibevent
import HTTP1

/// One accepted client connection: reads requests with the strict codec, hands each to the
/// server's handler as a `ServerExchange`, writes its answer, and then reads the next one
/// (keep-alive, pipelining) or closes. Loop-thread only.
///
/// What the connection is doing is one `ServerConnectionPhase` value, decided by pure code
/// (`ServerConnectionPhase`, unit-tested on a manual clock); this class performs the reads,
/// writes and timer the phase asks for. It owns its transport; the server owns it until it closes.
final class ServerConnection: TransportDelegate {
    private let transport: Transport
    private unowned let server: HTTPServer
    let peerAddress: String
    private let input = ByteBuffer()
    private let output = ByteBuffer()
    private var parser: RequestHeadParser
    private var phase: ServerConnectionPhase
    private var exchange: ServerExchange?
    private var timer: OpaquePointer?
    /// When the armed timer fires; nil when it is not armed. It is moved only when a deadline comes
    /// sooner: a later one is found when the timer fires early and re-arms (no event_add per request).
    private var timerDue: MonotonicInstant?
    /// Bytes of the current request read so far (the access line's `bytesIn` for refusals).
    private var requestBytes = 0
    /// Set while `readAvailable` / `processInput` run: an answer given synchronously from inside
    /// them must not start them again (a pipelined burst would recurse once per request).
    private var reading = false
    private var readAgain = false
    private var processing = false
    private var flushing = false
    private var flushAgain = false
    /// When the client last took answer bytes (the stall timeout counts from here while some wait).
    private var lastWrite: MonotonicInstant
    /// The body of the current exchange while it streams in (SPEC 5.3), with its decoder and the
    /// request deadline it must meet.
    private var streaming: (stream: RequestBodyStream, decoder: BodyDecoder, due: MonotonicInstant)?
    private var outputWasDrained = true
    /// The caller of this connection's last admitted request and its credential digest
    /// (`ServerExchange.credentialDigest(of:using:)`).
    var lastCaller: (caller: Caller, digest: CredentialDigest)?

    /// Pipelined bytes the connection buffers while an answer is pending, before it stops reading.
    static let pipelineLimit = 64 * 1024

    init(server: HTTPServer, fd: Int32, ssl: OpaquePointer?, peerAddress: String) {
        self.server = server
        self.peerAddress = peerAddress
        transport = Transport(loop: server.loop, fd: fd, ssl: ssl, connecting: false)
        parser = RequestHeadParser(limits: server.headLimits)
        phase = .accepted(since: server.loop.now)
        lastWrite = server.loop.now
        transport.delegate = self
        timer = maas_evtimer_new(
            server.loop.base,
            serverConnectionTimerTrampoline,
            Unmanaged.passUnretained(self).toOpaque()
        )
        updateTimer()
    }

    deinit {
        if let timer { event_free(timer) }
    }

    /// Bytes queued for the client and not yet written.
    var queuedBytes: Int { output.count }

    // MARK: Reading

    /// One read's size: 16 KiB, or what is left of a body of known length and 16 KiB more (up to
    /// 1 MiB), so a 100 KB prompt takes one or two reads rather than seven. The 16 KiB past the
    /// body make the read that takes its last byte a short one, which tells the transport the
    /// socket is drained: asking for exactly what is left costs a read that only says EAGAIN.
    private var readLimit: Int {
        if let (stream, _, _) = streaming, case .length(let length) = stream.framing {
            // No more than the stream holds back at once: an upload in flight stays within a few
            // hundred KiB whatever its size.
            return min(max(length - stream.received - input.count, 0) + 16384, RequestBodyStream.maxPendingBytes)
        }
        guard case .readingBody(let head, _, let body, _) = phase, case .length(let length) = head.framing else {
            return 16384
        }
        return min(max(length - body.count - input.count, 0) + 16384, 1 << 20)
    }

    func transportReadable() {
        readAvailable()
    }

    /// Reads while the socket has bytes (and, while an answer is pending, up to the pipeline
    /// limit). Not re-entered: a call from inside (an answer given synchronously) makes the
    /// running loop go round again.
    private func readAvailable() {
        guard !reading else {
            readAgain = true
            return
        }
        reading = true
        defer { reading = false }
        repeat {
            readAgain = false
            while transport.canRead, !phase.isClosed {
                if phase.isLingering {
                    // After the last answer: discard what the client still sends until it closes.
                    switch transport.read(into: input, limit: 16384) {
                    case .read:
                        input.removeAll()
                        continue
                    case .wouldBlock: return
                    case .closed, .failed: return close()
                    }
                }
                if let (stream, _, _) = streaming, !stream.wantsMore { return }
                if exchange != nil && streaming == nil && input.count >= ServerConnection.pipelineLimit { return }
                switch transport.read(into: input, limit: readLimit) {
                case .read(let count):
                    requestBytes += count
                    if exchange == nil {
                        processInput()
                    } else if streaming != nil {
                        pumpBody()
                    }
                case .wouldBlock:
                    break
                case .closed, .failed:
                    return peerLeft()
                }
            }
        } while readAgain && !phase.isClosed
        // Nothing buffered: give the memory back (1 000 open streams must not hold 1 000 buffers).
        input.releaseIfEmpty()
    }

    /// Parses what is buffered: the next head, or the body of the request being read.
    private func processInput() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while exchange == nil, !phase.isClosed, !phase.isLingering {
            switch phase {
            case .accepted(let since):
                guard !input.isEmpty else { return }
                phase = .awaitingHead(since: since, begun: true)
            case .awaitingHead(let since, let begun):
                guard !input.isEmpty else {
                    input.releaseIfEmpty()
                    return
                }
                if !begun { phase = .awaitingHead(since: server.loop.now, begun: true) }
                let parsed = input.withUnreadBytes { parser.parse($0) }
                switch parsed {
                case .needMore:
                    updateTimer()
                    return
                case .refused(let refusal):
                    return refuse(refusal)
                case .head(let head, let consumed):
                    input.consume(consumed)
                    parser.reset()
                    switch head.framing {
                    case .none, .length(0):
                        dispatch(head, body: [])
                    case .length(let length) where length <= server.limits.maxBodyBytes && input.count >= length:
                        // The whole body came with the head (a usual small call): handed over as it
                        // is, whatever the route; streaming it would only add the machinery.
                        let body = input.withUnreadBytes {
                            Array(UnsafeRawBufferPointer(rebasing: $0[..<length]).assumingMemoryBound(to: UInt8.self))
                        }
                        input.consume(length)
                        dispatch(head, body: body)
                    case .length, .chunked, .untilClose:
                        let streams = server.streamsBody(of: head)
                        if !streams, case .length(let length) = head.framing, length > server.limits.maxBodyBytes {
                            return refuse(.bodyTooLarge, head: head)
                        }
                        let wantsContinue = head.expectsContinue && head.version == .http11 && input.isEmpty
                        // A streamed body is asked for when its consumer starts (after admission):
                        // a refused caller never uploads it.
                        if streams { return dispatchStreaming(head, since: since, sendContinue: wantsContinue) }
                        if wantsContinue { sendContinue() }
                        var body: [UInt8] = []
                        if case .length(let length) = head.framing { body.reserveCapacity(length) }
                        phase = .readingBody(
                            head: head,
                            decoder: BodyDecoder(framing: head.framing, maxBodyBytes: server.limits.maxBodyBytes),
                            body: body,
                            since: since
                        )
                    }
                }
            case .readingBody(let head, var decoder, var body, let since):
                phase = .awaitingHead(since: since, begun: true)  // while `body` is mutated uniquely
                var ended = false
                var refusal: RequestRefusal?
                while !ended && refusal == nil {
                    let step = input.withUnreadBytes { bytes -> BodyStep in
                        let step = decoder.next(bytes)
                        if case .data(let range) = step.event {
                            // Typed, so the append is one copy rather than a byte-at-a-time loop.
                            body.append(
                                contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(
                                    to: UInt8.self
                                )
                            )
                        }
                        return step
                    }
                    input.consume(step.consumed)
                    switch step.event {
                    case .data: continue
                    case .needMore:
                        phase = .readingBody(head: head, decoder: decoder, body: body, since: since)
                        updateTimer()
                        return
                    case .end: ended = true
                    case .invalid(let reason): refusal = .badRequest(reason)
                    case .tooLarge: refusal = .bodyTooLarge
                    }
                }
                if let refusal { return refuse(refusal, head: head) }
                dispatch(head, body: body)
            default:
                return
            }
        }
    }

    /// Hands the request over at once; its body goes on arriving into the exchange's stream.
    private func dispatchStreaming(_ head: RequestHead, since: MonotonicInstant, sendContinue: Bool) {
        // Framing already here that is broken is refused before anything goes upstream (SPEC 5.5);
        // a break that arrives later cuts the request off on both sides instead.
        if let problem = Self.framingProblem(in: input, framing: head.framing) {
            return refuse(.badRequest(problem), head: head)
        }
        let stream = RequestBodyStream(framing: head.framing)
        stream.onWantsMore = { [weak self] in self?.bodyWanted() }
        if sendContinue { stream.onStart = { [weak self] in self?.sendContinue() } }
        streaming = (
            stream, BodyDecoder(framing: head.framing),
            since.adding(nanoseconds: server.limits.requestReadTimeoutNanoseconds)
        )
        dispatch(head, body: [], stream: stream)
        pumpBody()
    }

    /// What is wrong with the body framing among the bytes already buffered, if anything (a dry
    /// run of a copy of the decoder: nothing is consumed).
    private static func framingProblem(in input: ByteBuffer, framing: BodyFraming) -> String? {
        var decoder = BodyDecoder(framing: framing)
        return input.withUnreadBytes { bytes -> String? in
            var offset = 0
            while offset <= bytes.count {
                let step = decoder.next(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                offset += step.consumed
                switch step.event {
                case .data: if step.consumed == 0 { return nil }
                case .needMore, .end: return nil
                case .invalid(let reason): return reason
                case .tooLarge: return "body too large"
                }
            }
            return nil
        }
    }

    /// Moves what is buffered of a streaming body into its stream, while the stream wants it.
    private func pumpBody() {
        guard let (stream, initialDecoder, due) = streaming else { return }
        var decoder = initialDecoder
        streaming = nil  // while the decoder is mutated; put back below unless the body ended
        defer { if !stream.isEnded && !phase.isClosed { streaming = (stream, decoder, due) } }
        while stream.wantsMore, !input.isEmpty || decoder.isComplete {
            let step = input.withUnreadBytes { bytes -> BodyStep in
                let step = decoder.next(bytes)
                if case .data(let range) = step.event { stream.deliver(UnsafeRawBufferPointer(rebasing: bytes[range])) }
                return step
            }
            input.consume(step.consumed)
            switch step.event {
            case .data: continue
            case .needMore: return
            case .end:
                stream.finish()
                // Pipelined bytes after the body wait for the answer; the timer need not watch the body.
                return
            case .invalid, .tooLarge:
                // The framing broke mid-body: nothing after it can be read as a request.
                stream.fail()
                return peerLeft()
            }
        }
    }

    /// RFC 9110 10.1.1: tell the client to send the body it holds back.
    private func sendContinue() {
        guard exchange != nil || streaming == nil else { return }
        output.append("HTTP/1.1 100 Continue\r\n\r\n")
        flush()
    }

    /// The stream took what it had and wants more: read the client again.
    private func bodyWanted() {
        pumpBody()
        readAvailable()
    }

    private func dispatch(_ head: RequestHead, body: [UInt8], stream: RequestBodyStream? = nil) {
        let exchange = ServerExchange(head: head, body: body, stream: stream, connection: self, server: server)
        self.exchange = exchange
        phase = .exchanging(lastProgress: server.loop.now)
        updateTimer()
        server.handle(exchange)
    }

    /// Answers a request the codec refused and closes: what follows on the connection cannot be
    /// trusted to be a request (SPEC 5.5).
    /// - Parameter head: the head when it parsed (a body refused), else the presence of a
    ///   credential is read from the raw bytes for the access line.
    private func refuse(_ refusal: RequestRefusal, head: RequestHead? = nil) {
        let authorization =
            head.map { SensitiveHeader.presence($0.value("authorization")) }
            ?? input.withUnreadBytes { RefusedHead.authorizationPresence(in: $0) }
        answerAndClose(ProxyError.refusal(refusal, limits: server.limits), head: head, authorization: authorization)
    }

    /// The proxy's own last answer on this connection (a refusal, a 408): queued, logged as
    /// refused, then the connection closes once it is written.
    private func answerAndClose(_ error: ProxyError, head: RequestHead?, authorization: String) {
        let requestID = RequestID.resolve(nil, random: &server.loop.random)
        let body = error.body
        AnswerHead.write(
            status: error.status,
            headers: [HTTPHeader("Content-Type", "application/json")] + error.headers,
            requestID: requestID,
            contentLength: body.count,
            connection: .close,
            into: output
        )
        output.append(body)
        server.refused(
            RefusedRequest(
                error: error,
                method: head?.method.name ?? "UNKNOWN",
                requestID: requestID,
                bytesIn: requestBytes,
                authorization: authorization
            ),
            bytesOut: body.count
        )
        input.removeAll()
        closeAfterFlush()
    }

    // MARK: The exchange's answer

    /// Queues bytes of the current answer (no write yet).
    func queue(_ bytes: UnsafeRawBufferPointer) { output.append(bytes) }

    var outputBuffer: ByteBuffer { output }

    /// The current exchange queued its last byte: after the flush, read the next request or close.
    func exchangeEnded(_ ended: ServerExchange, keepAlive: Bool) {
        guard ended === exchange else { return }
        exchange = nil
        requestBytes = input.count
        // Answered before its body arrived whole (a refusal, an early answer): the rest of the
        // body is never read, so nothing after it can be read as the next request.
        let bodyUnread = streaming != nil
        if let (stream, _, _) = streaming {
            streaming = nil
            stream.fail()
        }
        if keepAlive && !bodyUnread {
            phase = .awaitingHead(since: server.loop.now, begun: false)
            flush()
            guard !phase.isClosed else { return }
            updateTimer()
            if output.isEmpty { output.releaseIfEmpty() }
            processInput()
            readAvailable()
        } else {
            closeAfterFlush()
        }
    }

    /// The current exchange cut its answer off: the bytes already queued are written, then our
    /// side closes without a final chunk, so the client sees the answer incomplete (SPEC 5.4).
    func exchangeAborted(_ aborted: ServerExchange) {
        guard aborted === exchange else { return }
        exchange = nil
        closeAfterFlush()
    }

    /// Writes what is queued, as much as the socket takes now. Not re-entered: bytes queued by
    /// whoever hears `drained` (a relay resuming its upstream) are written by the same loop.
    func flush() {
        guard !flushing else {
            flushAgain = true
            return
        }
        flushing = true
        defer { flushing = false }
        // A new answer on a drained connection: the client has not been slow with it yet.
        if outputWasDrained && !output.isEmpty { lastWrite = server.loop.now }
        outputWasDrained = false
        repeat {
            flushAgain = false
            let hadQueued = !output.isEmpty
            while !output.isEmpty, transport.canWrite {
                switch output.withUnreadBytes({ transport.write($0) }) {
                case .wrote(let count):
                    if count > 0 { lastWrite = server.loop.now }
                    output.consume(count)
                    if case .exchanging = phase { phase = .exchanging(lastProgress: server.loop.now) }
                case .failed:
                    return peerLeft()
                }
            }
            guard output.isEmpty else {
                updateTimer()
                continue
            }
            outputWasDrained = true
            output.releaseIfEmpty()
            if phase.isClosingAfterFlush { return linger() }
            if hadQueued, case .awaitingHead(_, let begun) = phase {
                // The next request's clock starts once the answer before it is written.
                phase = .awaitingHead(since: server.loop.now, begun: begun)
                updateTimer()
            }
            exchange?.drained()
        } while flushAgain && !phase.isClosed
    }

    func transportWritable() {
        flush()
    }

    // MARK: Ending

    /// The client closed or the socket failed.
    private func peerLeft() {
        if let (stream, _, _) = streaming {
            streaming = nil
            stream.fail()
        }
        let gone = exchange
        exchange = nil
        close()
        gone?.clientClosed()
    }

    private func closeAfterFlush() {
        phase = .closingAfterFlush(since: server.loop.now)
        flush()
    }

    /// RFC 9112 9.6: half-close and read what the client still sends for a moment, so that closing
    /// with unread bytes does not reset the connection before the client has read our answer.
    private func linger() {
        guard !phase.isClosed else { return }
        _ = maas_shutdown_write(transport.fd)
        phase = .lingering(until: server.loop.now + ServerConnectionPhase.lingerTime)
        updateTimer()
        readAvailable()
    }

    func close() {
        guard !phase.isClosed else { return }
        phase = .closed
        if let timer { event_del(timer) }
        timerDue = nil
        transport.close()
        server.connectionClosed(self)
    }

    // MARK: Timer

    private func updateTimer() {
        var due = phase.deadline(limits: server.limits, queuedBytes: output.count, lastWrite: lastWrite)
        if let streamDue = streaming?.due { due = min(due ?? streamDue, streamDue) }
        guard let due, let timer else { return }
        if let timerDue, timerDue <= due { return }
        var timeout = maas_timeval_ms(server.loop.now.millisecondsRoundedUp(until: due))
        event_add(timer, &timeout)
        timerDue = due
    }

    fileprivate func timerFired() {
        timerDue = nil
        let now = server.loop.now
        if let (_, _, due) = streaming, now >= due {
            // A streaming body is part of its request: it must arrive within the request deadline.
            return peerLeft()
        }
        switch phase.expiry(at: now, limits: server.limits, queuedBytes: output.count, lastWrite: lastWrite) {
        case .notYet:
            updateTimer()
        case .closeSilently:
            close()
        case .requestTimedOut:
            var head: RequestHead?
            if case .readingBody(let reading, _, _, _) = phase { head = reading }
            answerAndClose(
                .requestTimeout(after: server.limits.requestReadTimeout),
                head: head,
                authorization: head.map { SensitiveHeader.presence($0.value("authorization")) } ?? "absent"
            )
        case .stalled:
            // The client stopped reading its answer.
            peerLeft()
        }
    }
}

private func serverConnectionTimerTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let connection = Unmanaged<ServerConnection>.fromOpaque(context).takeUnretainedValue()
    withExtendedLifetime(connection) { connection.timerFired() }
}
