import CLibevent
import FakeServerKit

/// A streamed completion: `chunks` Server-Sent Events spaced `intervalMs` apart, then the API's closing events
/// (`data: [DONE]`, after the usage chunk with `include_usage`; the Responses API's `response.completed`; messages'
/// `message_delta` and `message_stop`) — or, with
/// `abortAfter` K, the connection dropped after K events without the final chunk (mid-body failure tests).
///
/// Each event is sent once the previous one has left the process (back-pressure), then after the interval on a
/// timer. Keeps itself alive until it ends, is aborted, or its client leaves (then timers stop and it is counted).
final class CompletionStream: HeldRequestOwner {
    /// What to send.
    struct Plan {
        var kind: CompletionRequest.Kind
        var id: String
        var model: String
        var chunks: Int
        var intervalMs: Int
        var abortAfter: Int?
        var request: CompletionRequest

        /// The usage after `tokens` tokens, nil when this answer reports none.
        func usage(tokens: Int) -> FakeUsage? { request.usage(completionTokens: tokens) }
    }

    private var held: HeldRequest?
    private let plan: Plan
    private let server: FakeServer
    private var sent = 0
    private var timer: LoopTimer?
    private var awaitingFlush = false
    private var keepAlive: CompletionStream?

    private init(plan: Plan, server: FakeServer) {
        self.plan = plan
        self.server = server
    }

    static func start(_ request: OpaquePointer, plan: Plan, server: FakeServer) {
        let stream = CompletionStream(plan: plan, server: server)
        stream.keepAlive = stream
        stream.held = HeldRequest(request, owner: stream, connections: server.connections)
        ReplyWriter.startStream(request, contentType: "text/event-stream")
        stream.schedule(afterMs: 0)
    }

    private func schedule(afterMs delay: Int) {
        timer = LoopTimer.start(base: server.base, milliseconds: delay) { [unowned self] in self.tick() }
    }

    private func tick() {
        timer = nil
        guard let request = held?.request else { return }
        if let abortAfter = plan.abortAfter, sent >= abortAfter { return abort() }
        guard sent < plan.chunks else { return finish() }
        let opening =
            sent == 0
            ? UsageBodies.opening(plan.kind, id: plan.id, model: plan.model, usage: plan.usage(tokens: 0)) : ""
        let event: String
        switch plan.kind {
        case .chat, .text:
            let json = OpenAIBodies.chunk(
                plan.kind,
                id: plan.id,
                model: plan.model,
                index: sent,
                content: "token-\(sent) ",
                last: sent == plan.chunks - 1,
                sentMs: MonotonicClock.nowMs(),
                usage: plan.request.continuousUsage ? plan.usage(tokens: sent + 1) : nil
            )
            event = "data: " + json + "\n\n"
        case .responses, .messages:
            event = UsageBodies.delta(plan.kind, content: "token-\(sent) ", sentMs: MonotonicClock.nowMs())
        }
        sent += 1
        awaitingFlush = true
        ReplyWriter.chunk(
            request,
            opening + event,
            written: completionStreamWrittenTrampoline,
            context: Unmanaged.passUnretained(self).toOpaque()
        )
    }

    fileprivate func written() {
        // evhttp calls this whenever the output drains; only the first call after a chunk matters.
        guard awaitingFlush, held?.request != nil else { return }
        awaitingFlush = false
        let aborting = plan.abortAfter.map { sent >= $0 } ?? false
        // `[DONE]` follows the last event at once, as vLLM does; an abort comes when the next event would.
        schedule(afterMs: sent >= plan.chunks && !aborting ? 0 : plan.intervalMs)
    }

    private func finish() {
        guard let request = held?.release() else { return }
        var closing = ""
        if plan.request.includeUsage, let usage = plan.usage(tokens: sent), plan.kind == .chat || plan.kind == .text {
            closing =
                "data: " + OpenAIBodies.usageChunk(plan.kind, id: plan.id, model: plan.model, usage: usage) + "\n\n"
        }
        closing += UsageBodies.closing(
            plan.kind,
            id: plan.id,
            model: plan.model,
            content: (0..<sent).map { "token-\($0) " }.joined(),
            usage: plan.usage(tokens: sent)
        )
        ReplyWriter.chunk(request, closing)
        evhttp_send_reply_end(request)
        server.stats.streamsCompleted += 1
        keepAlive = nil
    }

    private func abort() {
        // Cut only once everything sent so far reached the socket (the headers, for `abort_after_chunks: 0`).
        if let held, held.pendingOutputBytes > 0 { return schedule(afterMs: 1) }
        guard let request = held?.release() else { return }
        // Freeing the connection frees the request with it; the client sees the body end without its last chunk.
        if let connection = evhttp_request_get_connection(request) { evhttp_connection_free(connection) }
        server.stats.streamsAborted += 1
        keepAlive = nil
    }

    func clientWentAway() {
        timer?.cancel()
        timer = nil
        awaitingFlush = false
        server.stats.clientDisconnects += 1
        server.log("client left a stream after \(sent) of \(plan.chunks) events")
        keepAlive = nil
    }
}

private func completionStreamWrittenTrampoline(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<CompletionStream>.fromOpaque(context).takeUnretainedValue().written()
}
