/// The usage a fake answer reports, and the bodies and stream events of the Responses API and of
/// Anthropic-style messages, in the shapes those APIs send (the proxy counts tokens from them, SPEC 7).
struct FakeUsage {
    var promptTokens: Int
    var completionTokens: Int
    /// Reported as cached input when set (`prompt_tokens_details.cached_tokens`, …).
    var cachedTokens: Int?

    /// OpenAI chat, completions and embeddings: `"usage":{...}`.
    var openAI: String {
        var text = #""usage":{"prompt_tokens":\#(promptTokens),"completion_tokens":\#(completionTokens),"#
        text += #""total_tokens":\#(promptTokens + completionTokens)"#
        if let cachedTokens { text += #","prompt_tokens_details":{"cached_tokens":\#(cachedTokens)}"# }
        return text + "}"
    }

    /// The Responses API: `"usage":{"input_tokens",...}`.
    var responses: String {
        #""usage":{"input_tokens":\#(promptTokens),"input_tokens_details":{"cached_tokens":\#(cachedTokens ?? 0)},"#
            + #""output_tokens":\#(completionTokens),"output_tokens_details":{"reasoning_tokens":0},"#
            + #""total_tokens":\#(promptTokens + completionTokens)}"#
    }

    /// Anthropic messages: `"usage":{"input_tokens",...,"output_tokens"}`, with `output` as given
    /// (message_start reports 1, message_delta the running total).
    func messages(output: Int, withInput: Bool = true) -> String {
        guard withInput else { return #""usage":{"output_tokens":\#(output)}"# }
        return #""usage":{"input_tokens":\#(promptTokens),"cache_creation_input_tokens":0,"#
            + #""cache_read_input_tokens":\#(cachedTokens ?? 0),"output_tokens":\#(output)}"#
    }
}

enum UsageBodies {
    /// A whole Responses API answer.
    static func response(id: String, model: String, content: String, usage: FakeUsage?) -> String {
        responseObject(id: id, model: model, status: "completed", content: content, usage: usage)
    }

    /// A whole Anthropic-style message.
    static func message(id: String, model: String, content: String, usage: FakeUsage?) -> String {
        var text = #"{"id":"\#(id)","type":"message","role":"assistant","model":\#(JSONText.quote(model)),"#
        text += #""content":[{"type":"text","text":\#(JSONText.quote(content))}],"stop_reason":"end_turn","#
        text += #""stop_sequence":null"#
        if let usage { text += "," + usage.messages(output: usage.completionTokens) }
        return text + "}"
    }

    /// The events sent before the first token.
    static func opening(_ kind: CompletionRequest.Kind, id: String, model: String, usage: FakeUsage?) -> String {
        switch kind {
        case .chat, .text:
            return ""
        case .responses:
            let created = responseObject(id: id, model: model, status: "in_progress", content: nil, usage: nil)
            return event("response.created", #"{"type":"response.created","response":\#(created)}"#)
        case .messages:
            var message = #"{"id":"\#(id)","type":"message","role":"assistant","model":\#(JSONText.quote(model)),"#
            message += #""content":[],"stop_reason":null"#
            if let usage { message += "," + usage.messages(output: 1) }
            return event("message_start", #"{"type":"message_start","message":\#(message)}}"#)
                + event(
                    "content_block_start",
                    #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#
                )
        }
    }

    /// One token's event for the Responses API and messages.
    static func delta(_ kind: CompletionRequest.Kind, content: String, sentMs: Double) -> String {
        let text = JSONText.quote(content)
        let sent = JSONText.milliseconds(sentMs)
        switch kind {
        case .chat, .text:
            return ""
        case .responses:
            return event(
                "response.output_text.delta",
                #"{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":\#(text),"sent_ms":\#(sent)}"#
            )
        case .messages:
            return event(
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(text)},"sent_ms":\#(sent)}"#
            )
        }
    }

    /// The events after the last token (the usage the stream reports, if any, is here).
    static func closing(
        _ kind: CompletionRequest.Kind,
        id: String,
        model: String,
        content: String,
        usage: FakeUsage?
    ) -> String {
        switch kind {
        case .chat, .text:
            return "data: [DONE]\n\n"
        case .responses:
            let done = responseObject(id: id, model: model, status: "completed", content: content, usage: usage)
            return event("response.completed", #"{"type":"response.completed","response":\#(done)}"#)
        case .messages:
            var delta = #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null}"#
            if let usage { delta += "," + usage.messages(output: usage.completionTokens, withInput: false) }
            return event("content_block_stop", #"{"type":"content_block_stop","index":0}"#)
                + event("message_delta", delta + "}")
                + event("message_stop", #"{"type":"message_stop"}"#)
        }
    }

    private static func responseObject(
        id: String,
        model: String,
        status: String,
        content: String?,
        usage: FakeUsage?
    ) -> String {
        var text = #"{"id":"\#(id)","object":"response","status":"\#(status)","model":\#(JSONText.quote(model)),"#
        text += #""output":["#
        if let content {
            text += #"{"type":"message","role":"assistant","content":[{"type":"output_text","text":"#
            text += JSONText.quote(content) + "}]}"
        }
        text += "]"
        text += "," + (usage?.responses ?? #""usage":null"#)
        return text + "}"
    }

    private static func event(_ name: String, _ json: String) -> String {
        "event: \(name)\ndata: \(json)\n\n"
    }
}
