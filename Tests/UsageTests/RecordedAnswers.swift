import Usage

/// Answers as backends send them (bodies after chunked decoding), shaped after recordings of vLLM
/// 0.9, the OpenAI API and the Anthropic API; ids and texts shortened.
enum RecordedAnswers {
    struct Answer: Sendable, CustomStringConvertible {
        var label: String
        var format: UsageFormat
        var body: [UInt8]
        var expected: TokenUsage
        var description: String { label }

        init(_ label: String, _ format: UsageFormat, _ body: String, _ expected: TokenUsage) {
            self.label = label
            self.format = format
            self.body = Array(body.utf8)
            self.expected = expected
        }
    }

    /// vLLM chat completions, `stream_options.include_usage`: no `usage` in the content chunks, then the
    /// usage chunk with `choices: []`, then `[DONE]`.
    static let vllmChatStream = Answer(
        "vLLM chat stream with include_usage",
        .eventStream,
        """
        data: {"id":"chatcmpl-b2c1","object":"chat.completion.chunk","created":1733223000,"model":"granite-3.1-8b","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-b2c1","object":"chat.completion.chunk","created":1733223000,"model":"granite-3.1-8b","choices":[{"index":0,"delta":{"content":"The"},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-b2c1","object":"chat.completion.chunk","created":1733223000,"model":"granite-3.1-8b","choices":[{"index":0,"delta":{"content":" usage"},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-b2c1","object":"chat.completion.chunk","created":1733223000,"model":"granite-3.1-8b","choices":[{"index":0,"delta":{"content":" is \\"usage\\": {\\"prompt_tokens\\": 999}"},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-b2c1","object":"chat.completion.chunk","created":1733223000,"model":"granite-3.1-8b","choices":[{"index":0,"delta":{"content":"."},"logprobs":null,"finish_reason":"stop","stop_reason":null}]}

        data: {"id":"chatcmpl-b2c1","object":"chat.completion.chunk","created":1733223000,"model":"granite-3.1-8b","choices":[],"usage":{"prompt_tokens":17,"total_tokens":29,"completion_tokens":12,"prompt_tokens_details":null}}

        data: [DONE]


        """,
        TokenUsage(input: 17, output: 12)
    )

    /// The OpenAI API with include_usage: `"usage":null` in every content chunk, then the usage chunk
    /// with cached tokens.
    static let openAIChatStream = Answer(
        "OpenAI chat stream with include_usage",
        .eventStream,
        """
        data: {"id":"chatcmpl-AZ1","object":"chat.completion.chunk","created":1733223001,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-AZ1","object":"chat.completion.chunk","created":1733223001,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-AZ1","object":"chat.completion.chunk","created":1733223001,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-AZ1","object":"chat.completion.chunk","created":1733223001,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_0aa8d3e20b","choices":[],"usage":{"prompt_tokens":1210,"completion_tokens":2,"total_tokens":1212,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

        data: [DONE]


        """,
        TokenUsage(input: 1210, output: 2, cachedInput: 1024)
    )

    /// vLLM with `continuous_usage_stats`: usage in every chunk, the last one counts.
    static let vllmContinuousStream = Answer(
        "vLLM chat stream with continuous_usage_stats",
        .eventStream,
        """
        data: {"id":"chatcmpl-c3","object":"chat.completion.chunk","created":1733223002,"model":"llama-3.1-8b","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":9,"total_tokens":9,"completion_tokens":0}}

        data: {"id":"chatcmpl-c3","object":"chat.completion.chunk","created":1733223002,"model":"llama-3.1-8b","choices":[{"index":0,"delta":{"content":"One"},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":9,"total_tokens":10,"completion_tokens":1}}

        data: {"id":"chatcmpl-c3","object":"chat.completion.chunk","created":1733223002,"model":"llama-3.1-8b","choices":[{"index":0,"delta":{"content":" two"},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":9,"total_tokens":11,"completion_tokens":2}}

        data: {"id":"chatcmpl-c3","object":"chat.completion.chunk","created":1733223002,"model":"llama-3.1-8b","choices":[{"index":0,"delta":{"content":" three"},"logprobs":null,"finish_reason":"length","stop_reason":null}],"usage":{"prompt_tokens":9,"total_tokens":12,"completion_tokens":3}}

        data: [DONE]


        """,
        TokenUsage(input: 9, output: 3)
    )

    /// vLLM text completions (`/v1/completions`) streamed with include_usage.
    static let vllmCompletionStream = Answer(
        "vLLM text completion stream with include_usage",
        .eventStream,
        """
        data: {"id":"cmpl-d4","object":"text_completion","created":1733223003,"model":"granite-3.1-8b","choices":[{"index":0,"text":" Paris","logprobs":null,"finish_reason":null,"stop_reason":null}]}

        data: {"id":"cmpl-d4","object":"text_completion","created":1733223003,"model":"granite-3.1-8b","choices":[{"index":0,"text":".","logprobs":null,"finish_reason":"stop","stop_reason":null}]}

        data: {"id":"cmpl-d4","object":"text_completion","created":1733223003,"model":"granite-3.1-8b","choices":[],"usage":{"prompt_tokens":6,"total_tokens":8,"completion_tokens":2}}

        data: [DONE]


        """,
        TokenUsage(input: 6, output: 2)
    )

    /// The Responses API: `usage: null` in `response.created`/`in_progress`, the counts in
    /// `response.completed`, whose `response.output` repeats the whole text.
    static let responsesStream = Answer(
        "OpenAI Responses API stream",
        .eventStream,
        """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_67c","object":"response","created_at":1741290958,"status":"in_progress","error":null,"incomplete_details":null,"instructions":"You are a helpful assistant.","max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_67c","object":"response","created_at":1741290958,"status":"in_progress","output":[],"usage":null,"metadata":{}}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_67c","type":"message","status":"in_progress","role":"assistant","content":[]}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_67c","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_67c","output_index":0,"content_index":0,"delta":" there!","logprobs":[]}

        event: response.output_text.done
        data: {"type":"response.output_text.done","sequence_number":5,"item_id":"msg_67c","output_index":0,"content_index":0,"text":"Hi there!","logprobs":[]}

        event: response.completed
        data: {"type":"response.completed","sequence_number":6,"response":{"id":"resp_67c","object":"response","created_at":1741290958,"status":"completed","error":null,"incomplete_details":null,"instructions":"You are a helpful assistant.","max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[{"id":"msg_67c","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Hi there!"}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":4},"output_tokens":11,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":48},"user":null,"metadata":{}}}


        """,
        TokenUsage(input: 37, output: 11, cachedInput: 4)
    )

    /// Anthropic `/v1/messages` streamed: `message_start` carries the input, `message_delta` the
    /// cumulative output; `event:` lines and a `ping`.
    static let anthropicStream = Answer(
        "Anthropic messages stream",
        .eventStream,
        """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01XF","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":100,"cache_read_input_tokens":2048,"output_tokens":2,"service_tier":"standard"}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello! \\"usage\\":{\\"output_tokens\\":1}"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" How can I help?"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """,
        TokenUsage(input: 472, output: 15, cachedInput: 2048)
    )

    static let streams = [
        vllmChatStream, openAIChatStream, vllmContinuousStream, vllmCompletionStream, responsesStream,
        anthropicStream,
    ]

    /// A vLLM chat completion, pretty-printed as some servers send it.
    static let vllmChat = Answer(
        "vLLM chat completion",
        .json,
        #"""
        {"id":"chatcmpl-e5","object":"chat.completion","created":1733223004,"model":"granite-3.1-8b","choices":[{"index":0,"message":{"role":"assistant","reasoning_content":null,"content":"The answer is 4. (\"usage\": {\"prompt_tokens\": 1})","tool_calls":[]},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":24,"total_tokens":39,"completion_tokens":15,"prompt_tokens_details":null},"prompt_logprobs":null,"kv_transfer_params":null}
        """#,
        TokenUsage(input: 24, output: 15)
    )

    static let openAIChat = Answer(
        "OpenAI chat completion, pretty-printed",
        .json,
        """
        {
          "id": "chatcmpl-B9M",
          "object": "chat.completion",
          "created": 1741569952,
          "model": "gpt-4.1-2025-04-14",
          "choices": [
            {
              "index": 0,
              "message": {
                "role": "assistant",
                "content": "Hello! How can I assist you today?",
                "refusal": null,
                "annotations": []
              },
              "logprobs": null,
              "finish_reason": "stop"
            }
          ],
          "usage": {
            "prompt_tokens": 19,
            "completion_tokens": 10,
            "total_tokens": 29,
            "prompt_tokens_details": {
              "cached_tokens": 0,
              "audio_tokens": 0
            },
            "completion_tokens_details": {
              "reasoning_tokens": 0,
              "audio_tokens": 0,
              "accepted_prediction_tokens": 0,
              "rejected_prediction_tokens": 0
            }
          },
          "service_tier": "default"
        }

        """,
        TokenUsage(input: 19, output: 10, cachedInput: 0)
    )

    static let vllmCompletion = Answer(
        "vLLM text completion",
        .json,
        #"""
        {"id":"cmpl-f6","object":"text_completion","created":1733223005,"model":"granite-3.1-8b","choices":[{"index":0,"text":" Paris.","logprobs":null,"finish_reason":"stop","stop_reason":null,"prompt_logprobs":null}],"usage":{"prompt_tokens":6,"total_tokens":9,"completion_tokens":3,"prompt_tokens_details":null},"kv_transfer_params":null}
        """#,
        TokenUsage(input: 6, output: 3)
    )

    static let vllmEmbeddings = Answer(
        "vLLM embeddings (no completion_tokens)",
        .json,
        #"""
        {"id":"embd-a7","object":"list","created":1733223006,"model":"granite-embedding-125m","data":[{"index":0,"object":"embedding","embedding":[0.0123,-0.0456,0.0789,1.5e-3,-2E+2]}],"usage":{"prompt_tokens":8,"total_tokens":8,"completion_tokens":0,"prompt_tokens_details":null}}
        """#,
        TokenUsage(input: 8, output: 0)
    )

    static let openAIEmbeddings = Answer(
        "OpenAI embeddings",
        .json,
        #"""
        {"object":"list","data":[{"object":"embedding","index":0,"embedding":[-0.006929283,-0.005336422,0.024047505]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":5}}
        """#,
        TokenUsage(input: 5)
    )

    static let responses = Answer(
        "OpenAI Responses API",
        .json,
        #"""
        {"id":"resp_67cc","object":"response","created_at":1741476542,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[{"type":"message","id":"msg_67cc","status":"completed","role":"assistant","content":[{"type":"output_text","text":"In a peaceful grove beneath a silver moon...","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123},"user":null,"metadata":{}}
        """#,
        TokenUsage(input: 36, output: 87, cachedInput: 0)
    )

    static let anthropicMessage = Answer(
        "Anthropic message",
        .json,
        #"""
        {"id":"msg_013Zva","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"Hi! My name is Claude."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"cache_creation_input_tokens":2051,"cache_read_input_tokens":0,"output_tokens":503}}
        """#,
        TokenUsage(input: 2095, output: 503, cachedInput: 0)
    )

    static let documents = [
        vllmChat, openAIChat, vllmCompletion, vllmEmbeddings, openAIEmbeddings, responses, anthropicMessage,
    ]

    static let all = streams + documents
}
