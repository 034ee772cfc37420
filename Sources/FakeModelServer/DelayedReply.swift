import FakeServerKit

/// A reply held back on a timer: a `/v1/models` listing for the model's `delayMs` (counted in flight while it
/// waits), or a completion for its body's `delay_ms` (the whole JSON reply, or a stream's head and first event).
///
/// Keeps itself alive until it is answered or its client leaves (then counted in `client_disconnects`).
final class DelayedReply: HeldRequestOwner {
    /// What waits: decides the in-flight count and the log line.
    enum Purpose {
        case modelList
        case completion
    }

    private var held: HeldRequest?
    private let purpose: Purpose
    private let server: FakeServer
    private var answer: ((OpaquePointer) -> Void)?
    private var timer: LoopTimer?
    private var keepAlive: DelayedReply?

    private init(purpose: Purpose, server: FakeServer, answer: @escaping (OpaquePointer) -> Void) {
        self.purpose = purpose
        self.server = server
        self.answer = answer
    }

    /// Sends `reply` after `delay` ms.
    static func start(_ request: OpaquePointer, reply: PreparedReply, afterMs delay: Int, server: FakeServer) {
        start(request, afterMs: delay, purpose: .modelList, server: server) { ReplyWriter.send($0, reply) }
    }

    /// Runs `answer` with the request after `delay` ms, unless the client left; `answer` must send the reply or hold
    /// the request anew (as a stream does) before it returns.
    static func start(
        _ request: OpaquePointer,
        afterMs delay: Int,
        purpose: Purpose,
        server: FakeServer,
        answer: @escaping (OpaquePointer) -> Void
    ) {
        let delayed = DelayedReply(purpose: purpose, server: server, answer: answer)
        delayed.keepAlive = delayed
        delayed.held = HeldRequest(request, owner: delayed, connections: server.connections)
        if purpose == .modelList { server.stats.modelsWaitStarted() }
        delayed.timer = LoopTimer.start(base: server.base, milliseconds: delay) { [unowned delayed] in
            delayed.fire()
        }
    }

    private func fire() {
        timer = nil
        if purpose == .modelList { server.stats.modelsWaitEnded() }
        // Released and answered in one stack frame (docs/LIBEVENT.md: no close callback may outlive the reply).
        if let request = held?.release() { answer?(request) }
        answer = nil
        keepAlive = nil
    }

    func clientWentAway() {
        timer?.cancel()
        timer = nil
        answer = nil
        if purpose == .modelList { server.stats.modelsWaitEnded() }
        server.stats.clientDisconnects += 1
        server.log("client left while \(purpose == .modelList ? "/v1/models" : "a completion") was delayed")
        keepAlive = nil
    }
}
