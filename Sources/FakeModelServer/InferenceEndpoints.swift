/// Answers `POST <prefix>/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`, `/v1/responses` and
/// `/v1/messages` once the token is admitted.
enum InferenceEndpoints {
    static func completion(
        _ incoming: IncomingRequest,
        kind: CompletionRequest.Kind,
        model: FakeModel,
        server: FakeServer
    ) {
        let request = CompletionRequest(kind: kind, body: incoming.body)
        let answer = completionAnswer(request, kind: kind, model: model, server: server)
        guard let delay = request.delayMs, delay > 0 else { return answer(incoming.request) }
        DelayedReply.start(incoming.request, afterMs: delay, purpose: .completion, server: server, answer: answer)
    }

    /// What answers the completion once any `delay_ms` has passed: starts its stream or sends its JSON.
    private static func completionAnswer(
        _ request: CompletionRequest,
        kind: CompletionRequest.Kind,
        model: FakeModel,
        server: FakeServer
    ) -> (OpaquePointer) -> Void {
        let modelName = request.model ?? model.primaryID
        let prefix =
            switch kind {
            case .chat: "chatcmpl-fake-"
            case .text: "cmpl-fake-"
            case .responses: "resp_fake"
            case .messages: "msg_fake"
            }
        let id = prefix + String(server.nextSequence())
        if request.stream {
            let plan = CompletionStream.Plan(
                kind: kind,
                id: id,
                model: modelName,
                chunks: max(0, request.chunks ?? model.streamChunks ?? 5),
                intervalMs: max(0, request.chunkIntervalMs ?? model.chunkIntervalMs ?? 0),
                abortAfter: request.abortAfterChunks.map { max(0, $0) },
                request: request
            )
            return { CompletionStream.start($0, plan: plan, server: server) }
        }
        let size = request.responseBytes ?? 0
        let content = size > 0 ? String(repeating: "x", count: size) : "Hello from the fake backend."
        let completionTokens = max(1, content.utf8.count / 4)
        let usage = request.usage(completionTokens: completionTokens)
        let body =
            switch kind {
            case .chat, .text:
                OpenAIBodies.completion(
                    request,
                    id: id,
                    model: modelName,
                    content: content,
                    completionTokens: completionTokens
                )
            case .responses: UsageBodies.response(id: id, model: modelName, content: content, usage: usage)
            case .messages: UsageBodies.message(id: id, model: modelName, content: content, usage: usage)
            }
        return { ReplyWriter.send($0, .json(200, body)) }
    }

    static func embeddings(_ incoming: IncomingRequest, model: FakeModel) {
        let request = CompletionRequest(kind: .text, body: incoming.body)
        let body = OpenAIBodies.embeddings(
            model: request.model ?? model.primaryID,
            count: request.inputCount,
            promptTokens: request.omitUsage ? nil : request.promptTokens
        )
        ReplyWriter.send(incoming.request, .json(200, body))
    }
}
