/// Answers `POST <prefix>/v1/chat/completions`, `/v1/completions` and `/v1/embeddings` once the token is admitted.
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
        let id = (kind == .chat ? "chatcmpl-fake-" : "cmpl-fake-") + String(server.nextSequence())
        if request.stream {
            let plan = CompletionStream.Plan(
                kind: kind,
                id: id,
                model: modelName,
                chunks: max(0, request.chunks ?? model.streamChunks ?? 5),
                intervalMs: max(0, request.chunkIntervalMs ?? model.chunkIntervalMs ?? 0),
                abortAfter: request.abortAfterChunks.map { max(0, $0) }
            )
            return { CompletionStream.start($0, plan: plan, server: server) }
        }
        let size = request.responseBytes ?? 0
        let content = size > 0 ? String(repeating: "x", count: size) : "Hello from the fake backend."
        let body = OpenAIBodies.completion(
            request,
            id: id,
            model: modelName,
            content: content,
            completionTokens: max(1, content.utf8.count / 4)
        )
        return { ReplyWriter.send($0, .json(200, body)) }
    }

    static func embeddings(_ incoming: IncomingRequest, model: FakeModel) {
        let request = CompletionRequest(kind: .text, body: incoming.body)
        let body = OpenAIBodies.embeddings(
            model: request.model ?? model.primaryID,
            count: request.inputCount,
            promptTokens: request.promptTokens
        )
        ReplyWriter.send(incoming.request, .json(200, body))
    }
}
