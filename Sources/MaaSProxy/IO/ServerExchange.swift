import AccessCheck
import HTTP1

/// One request received on a `ServerConnection` and the one answer it gets.
///
/// The state allows one terminal path: `respond` once, or `startStream` → `sendChunk`… →
/// `finishStream` or `abortStream`, or the client leaving first. Calls out of turn are ignored
/// (and asserted in debug builds), so "every request is answered exactly once" holds by
/// construction. Loop-thread only.
final class ServerExchange: @unchecked Sendable {
    let head: RequestHead
    let method: String
    /// The path part of the target as received (before `?`; `*` for `OPTIONS *`).
    let path: String
    let body: [UInt8]
    let receivedAt: MonotonicInstant
    let loop: EventLoop
    /// Sent back as `X-Request-Id` and logged (SPEC 5.3).
    let requestID: String
    /// True for an HTTP/1.0 request: a streamed reply without a length must close the connection.
    let isHTTP10: Bool
    /// Filled in by handlers for the access log.
    var notes = AccessNotes()

    private enum State {
        case waiting
        /// Head queued; `status` is for the access log, `framing` says how chunks are written.
        case streaming(status: Int, framing: AnswerHead.Framing)
        case done
    }

    private var state = State.waiting
    private var bytesOut = 0
    private weak var connection: ServerConnection?
    private let server: HTTPServer
    /// Whoever relays the answer: hears the client leave and drain. Held until the exchange ends
    /// (the cycle with the relay ends there), so no weak reference is made per request.
    private var observer: ExchangeObserver?

    /// The body as it streams in, when the server streams this request's body (then `body` is empty).
    let bodyStream: RequestBodyStream?

    init(head: RequestHead, body: [UInt8], stream: RequestBodyStream?, connection: ServerConnection, server: HTTPServer)
    {
        self.head = head
        self.body = body
        self.bodyStream = stream
        self.connection = connection
        self.server = server
        self.loop = server.loop
        server.inFlight.increment()
        receivedAt = loop.now
        method = head.method.name
        path = head.path
        requestID = RequestID.resolve(head.value("x-request-id"), random: &server.loop.random)
        isHTTP10 = head.version == .http10
    }

    /// Body bytes received (the access line's `bytesIn`).
    var bytesIn: Int { bodyStream?.received ?? body.count }

    /// The client's address (for `X-Forwarded-For`).
    var peerAddress: String { connection?.peerAddress ?? "" }

    /// The query without `?`, nil when there is none.
    var query: String? { head.query }

    /// The first value of a header, matched ignoring ASCII case (`lowercasedName` given lowercased).
    func header(_ lowercasedName: StaticString) -> String? {
        head.value(lowercasedName)
    }

    /// Every value of a header, in the order received (`lowercasedName` given lowercased).
    func headerValues(_ lowercasedName: StaticString) -> [String] {
        var values: [String] = []
        for field in head.fields where head.nameEquals(field, lowercasedName) {
            values.append(head.string(field.value))
        }
        return values
    }

    /// The decision-cache digest of `caller` (SPEC 4). A connection keeps its last caller's, so a
    /// keep-alive client's next request with the same credential skips the SHA-256 (issue 10: a
    /// twentieth of a proxied request's instructions); the credential it keeps is one the
    /// connection already received, and goes with it.
    func credentialDigest(of caller: Caller, using checker: AccessChecker) -> CredentialDigest {
        if let connection, let last = connection.lastCaller, last.caller == caller { return last.digest }
        let digest = checker.credentialDigest(of: caller)
        connection?.lastCaller = (caller, digest)
        return digest
    }

    var isAnswered: Bool {
        if case .waiting = state { return false }
        return true
    }

    private var isHEAD: Bool { head.method == .head }

    /// The `Connection` field an answer carries, and whether the connection stays open after it.
    private func connectionField(forcingClose: Bool) -> (AnswerHead.ConnectionField, keepAlive: Bool) {
        // A body still arriving when the answer goes is never read: the connection cannot go on.
        let bodyUnread = bodyStream.map { !$0.isEnded } ?? false
        guard head.keepAlive && !forcingClose && !server.isDraining && !bodyUnread else { return (.close, false) }
        return (isHTTP10 ? .keepAlive : .none, true)
    }

    /// Sends a complete response with `Content-Length`. Only the first answer has an effect.
    func respond(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        guard case .waiting = state else { return assertIfAnswered() }
        state = .done
        guard let connection else { return end(status: status, bytesOut: 0) }
        let closes = headers.contains {
            $0.name.caseInsensitiveEquals("Connection")
                && $0.value.trimmingHTTPWhitespace().caseInsensitiveEquals("close")
        }
        let (field, keepAlive) = connectionField(forcingClose: closes)
        let bodiless = status == 204 || status == 304 || (100..<200).contains(status)
        AnswerHead.write(
            status: status,
            headers: headers,
            requestID: requestID,
            framing: bodiless ? .bodiless : .contentLength(body.count),
            connection: field,
            into: connection.outputBuffer
        )
        // RFC 9110 9.3.2: a HEAD answer has the length of the body a GET would get, and no body.
        let sent = isHEAD || bodiless ? 0 : body.count
        if sent > 0 { connection.outputBuffer.append(body) }
        end(status: status, bytesOut: sent)
        connection.exchangeEnded(self, keepAlive: keepAlive)
    }

    // MARK: Streaming (SPEC 5.4)

    /// `observer` hears once if the client goes away before the answer ends (the connection reads
    /// the client socket throughout, so a disconnect is seen as soon as it happens), and whenever
    /// what was queued for the client has been written.
    func observe(_ observer: ExchangeObserver) {
        guard case .waiting = state else { return }
        self.observer = observer
    }

    /// Queues the head of a backend's answer, relayed (SPEC 5.4). With the backend's `Content-Length`
    /// the body goes as it is; without, HTTP/1.1 clients get chunks and HTTP/1.0 clients a
    /// close-delimited body.
    /// - Parameter flush: false when the caller queues body bytes next and flushes itself.
    func startStream(relaying answer: ResponseHead, flush: Bool = true) {
        guard case .waiting = state, let connection else { return assertIfAnswered() }
        let status = answer.status
        // A length next to chunked framing is not the body's (RFC 9112 6.3): never relayed.
        var length: Int?
        switch answer.framing {
        case .length(let declared): length = declared
        case .none:
            // A HEAD or 304 answer: its length is the resource's, relayed as it is.
            length = answer.firstField("content-length").flatMap {
                FramingCheck.decimal(answer.string(answer.fields[$0].value))
            }
        case .chunked, .untilClose: length = nil
        }
        var (field, _) = connectionField(forcingClose: false)
        // How the body is written, and what the head says of it (they differ only for HEAD).
        let body: AnswerHead.Framing
        if isHEAD || status == 204 || status == 304 {
            body = .bodiless
        } else if let length {
            body = .contentLength(length)
        } else if isHTTP10 {
            body = .closeDelimited
            field = .close
        } else {
            body = .chunked
        }
        // RFC 9110 9.3.2: a HEAD answer carries the length a GET would get, and no body.
        let announced = isHEAD ? (length.map { .contentLength($0) } ?? .bodiless) : body
        AnswerHead.writeRelayed(
            answer,
            requestID: requestID,
            framing: announced,
            connection: field,
            into: connection.outputBuffer
        )
        state = .streaming(status: status, framing: body)
        if flush { connection.flush() }
    }

    /// Queues `bytes` for the client and writes what the socket takes. Returns the bytes queued and
    /// not yet written; above a bound the caller pauses its source until its observer hears `clientDrained`.
    @discardableResult
    func sendChunk(_ bytes: UnsafeRawBufferPointer, flush: Bool = true) -> Int {
        guard case .streaming(_, let framing) = state, let connection, bytes.count > 0 else {
            return connection?.queuedBytes ?? 0
        }
        let output = connection.outputBuffer
        switch framing {
        case .chunked:
            output.appendHex(bytes.count)
            output.append("\r\n")
            output.append(bytes)
            output.append("\r\n")
        case .contentLength, .closeDelimited:
            output.append(bytes)
        case .bodiless:
            return connection.queuedBytes
        }
        bytesOut += bytes.count
        if flush { connection.flush() }
        return connection.queuedBytes
    }

    /// Writes what is queued (after `startStream`/`sendChunk` with `flush: false`).
    func flush() { connection?.flush() }

    /// Ends a streamed answer as complete (the final chunk for chunked framing).
    func finishStream() {
        guard case .streaming(let status, let framing) = state else { return }
        state = .done
        guard let connection else { return end(status: status, bytesOut: bytesOut) }
        if case .chunked = framing { connection.outputBuffer.append("0\r\n\r\n") }
        end(status: status, bytesOut: bytesOut)
        var (_, keepAlive) = connectionField(forcingClose: false)
        if case .closeDelimited = framing { keepAlive = false }
        connection.exchangeEnded(self, keepAlive: keepAlive)
    }

    /// Cuts a streamed answer off so the client sees it incomplete (SPEC 5.4): the bytes already
    /// queued are written, then the connection closes without the final chunk.
    func abortStream() {
        guard case .streaming(let status, _) = state else { return }
        state = .done
        notes.aborted = true
        end(status: status, bytesOut: bytesOut)
        connection?.exchangeAborted(self)
    }

    /// Everything queued for the client was written.
    func drained() {
        if case .streaming = state { observer?.clientDrained() }
    }

    /// The client connection closed before the answer ended.
    func clientClosed() {
        let status: Int
        switch state {
        case .waiting: status = 499
        case .streaming(let sent, _): status = sent
        case .done: return
        }
        state = .done
        notes.clientGone = true
        let gone = observer
        observer = nil
        // Before the access line: the relay notes what the answer reported so far (SPEC 7).
        gone?.clientLeft()
        end(status: status, bytesOut: bytesOut)
    }

    private func end(status: Int, bytesOut: Int) {
        observer = nil
        server.inFlight.decrement()
        server.onAnswered?(self, status, bytesOut)
    }

    private func assertIfAnswered() {
        if case .done = state { return }
        assertionFailure("answer out of turn")
    }
}

/// What an exchange tells the one relaying its answer. Loop-thread only.
protocol ExchangeObserver: AnyObject {
    /// The client left before the answer ended; called once, before the access line.
    func clientLeft()
    /// Everything queued for the client was written (back-pressure).
    func clientDrained()
}
