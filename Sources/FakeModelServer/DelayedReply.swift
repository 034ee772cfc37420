/// A `/v1/models` reply held back for the model's `delayMs` on a timer, counted in flight while it waits.
///
/// Keeps itself alive until it is sent or its client leaves.
final class DelayedReply: HeldRequestOwner {
    private var held: HeldRequest?
    private let reply: PreparedReply
    private let server: FakeServer
    private var timer: OneShotTimer?
    private var keepAlive: DelayedReply?

    private init(reply: PreparedReply, server: FakeServer) {
        self.reply = reply
        self.server = server
    }

    static func start(_ request: OpaquePointer, reply: PreparedReply, afterMs delay: Int, server: FakeServer) {
        let delayed = DelayedReply(reply: reply, server: server)
        delayed.keepAlive = delayed
        delayed.held = HeldRequest(request, owner: delayed)
        server.stats.modelsWaitStarted()
        delayed.timer = OneShotTimer.start(base: server.base, milliseconds: delay) { [unowned delayed] in
            delayed.fire()
        }
    }

    private func fire() {
        timer = nil
        server.stats.modelsWaitEnded()
        if let request = held?.release() { ReplyWriter.send(request, reply) }
        keepAlive = nil
    }

    func clientWentAway() {
        timer?.cancel()
        timer = nil
        server.stats.modelsWaitEnded()
        server.stats.clientDisconnects += 1
        server.log("client left while /v1/models was delayed")
        keepAlive = nil
    }
}
