/// The JSON bodies of an OpenAI-compatible server (vLLM's shapes), built as text.
enum OpenAIBodies {
    /// `{"object":"list","data":[{"id","object":"model","created","owned_by":"vllm","root","parent":null,
    /// "max_model_len":2048}...]}`, plus `"padding"` of `padBytes` bytes when asked.
    static func modelList(ids: [String], model: FakeModel, padBytes: Int?) -> String {
        var text = #"{"object":"list","data":["#
        for (index, id) in ids.enumerated() {
            if index > 0 { text += "," }
            let quoted = JSONText.quote(id)
            text += #"{"id":\#(quoted),"object":"model","created":\#(model.created(for: id)),"owned_by":"vllm","#
            text += #""root":\#(quoted),"parent":null,"max_model_len":2048}"#
        }
        text += "]"
        if let padBytes, padBytes > 0 { text += #","padding":""# + String(repeating: "x", count: padBytes) + "\"" }
        return text + "}"
    }

    /// A whole `chat.completion` or `text_completion` with `usage`.
    static func completion(
        _ request: CompletionRequest,
        id: String,
        model: String,
        content: String,
        completionTokens: Int
    ) -> String {
        let object = request.kind == .chat ? "chat.completion" : "text_completion"
        let head = header(id: id, object: object, model: model)
        let choice =
            switch request.kind {
            case .chat:
                #""choices":[{"index":0,"message":{"role":"assistant","content":"# + JSONText.quote(content)
                    + #"},"logprobs":null,"finish_reason":"stop"}],"#
            case .text, .responses, .messages:
                #""choices":[{"index":0,"text":"# + JSONText.quote(content)
                    + #","logprobs":null,"finish_reason":"stop"}],"#
            }
        guard let usage = request.usage(completionTokens: completionTokens) else {
            return head + String(choice.dropLast()) + "}"
        }
        return head + choice + usage.openAI + "}"
    }

    /// The usage chunk of a stream with `include_usage`: no choices, the whole usage.
    static func usageChunk(_ kind: CompletionRequest.Kind, id: String, model: String, usage: FakeUsage) -> String {
        let head = header(id: id, object: kind == .chat ? "chat.completion.chunk" : "text_completion", model: model)
        return head + #""choices":[],"# + usage.openAI + "}"
    }

    /// One streamed event's JSON (`chat.completion.chunk` or `text_completion`); `sent_ms` is the monotonic time
    /// it was generated, so tests can see chunks arrive spaced in time.
    static func chunk(
        _ kind: CompletionRequest.Kind,
        id: String,
        model: String,
        index: Int,
        content: String,
        last: Bool,
        sentMs: Double,
        usage: FakeUsage? = nil
    ) -> String {
        let finish = last ? #""stop""# : "null"
        let head = header(id: id, object: kind == .chat ? "chat.completion.chunk" : "text_completion", model: model)
        let choice =
            switch kind {
            case .chat:
                #""choices":[{"index":0,"delta":{"# + (index == 0 ? #""role":"assistant","# : "")
                    + #""content":\#(JSONText.quote(content))},"logprobs":null,"finish_reason":\#(finish)}],"#
            case .text, .responses, .messages:
                #""choices":[{"index":0,"text":\#(JSONText.quote(content)),"#
                    + #""logprobs":null,"finish_reason":\#(finish)}],"#
            }
        // vLLM's continuous_usage_stats: every chunk carries the usage so far.
        let usageField = usage.map { $0.openAI + "," } ?? ""
        return head + choice + usageField + #""sent_ms":\#(JSONText.milliseconds(sentMs))}"#
    }

    /// `count` small embeddings.
    static func embeddings(model: String, count: Int, promptTokens: Int?) -> String {
        let data = (0..<count).map { #"{"object":"embedding","index":\#($0),"embedding":[0.1,0.2,0.3,0.4]}"# }
        let head = #"{"object":"list","data":[\#(data.joined(separator: ","))],"model":\#(JSONText.quote(model))"#
        guard let promptTokens else { return head + "}" }
        return head + #","usage":{"prompt_tokens":\#(promptTokens),"total_tokens":\#(promptTokens)}}"#
    }

    /// `{"id","object","created","model",` — the opening every completion body shares.
    private static func header(id: String, object: String, model: String) -> String {
        #"{"id":"\#(id)","object":"\#(object)","created":\#(MonotonicClock.unixSeconds()),"#
            + #""model":\#(JSONText.quote(model)),"#
    }
}
