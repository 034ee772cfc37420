/// Answers `GET <prefix>/v1/models` per the caller's token rule, after the model's `delayMs`, and
/// `GET <prefix>/v1/models/{id}`.
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

    /// `GET <prefix>/v1/models/{id}` (OpenAI's retrieve): the entry when the token's listing has `id`, else 404.
    static func retrieve(id: String, model: FakeModel, rule: TokenRule) -> PreparedReply {
        guard (200..<300).contains(rule.status) else { return .refusal(rule.status) }
        guard (rule.ids ?? model.servedIDs).contains(id) else { return .error(404, "The model '\(id)' does not exist") }
        let list = OpenAIBodies.modelList(ids: [id], model: model, padBytes: nil)
        // The one entry of a one-entry list: `{"object":"list","data":[` … `]}`.
        return .json(200, String(list.dropFirst(#"{"object":"list","data":["#.count).dropLast(2)))
    }

    static func reply(model: FakeModel, rule: TokenRule) -> PreparedReply {
        if let body = rule.body { return .json(rule.status, body) }
        guard (200..<300).contains(rule.status) else { return .refusal(rule.status) }
        let body = OpenAIBodies.modelList(ids: rule.ids ?? model.servedIDs, model: model, padBytes: rule.padBytes)
        return .json(rule.status, body)
    }
}
