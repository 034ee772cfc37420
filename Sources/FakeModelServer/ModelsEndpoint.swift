/// Answers `GET <prefix>/v1/models` per the caller's token rule, after the model's `delayMs`.
struct ModelsEndpoint {
    let server: FakeServer

    func answer(_ incoming: IncomingRequest, model: FakeModel, rule: TokenRule) {
        server.stats.modelsRequests += 1
        let reply =
            server.takeWarmupFailure(for: model)
            ? PreparedReply.error(503, "The model is still loading") : Self.reply(model: model, rule: rule)
        let delay = model.delayMs ?? 0
        guard delay > 0 else { return ReplyWriter.send(incoming.request, reply) }
        DelayedReply.start(incoming.request, reply: reply, afterMs: delay, server: server)
    }

    static func reply(model: FakeModel, rule: TokenRule) -> PreparedReply {
        if let body = rule.body { return .json(rule.status, body) }
        guard (200..<300).contains(rule.status) else { return .refusal(rule.status) }
        let body = OpenAIBodies.modelList(ids: rule.ids ?? model.servedIDs, model: model, padBytes: rule.padBytes)
        return .json(rule.status, body)
    }
}
