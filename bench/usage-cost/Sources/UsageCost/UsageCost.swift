import Usage

/// Runs the usage accounting of one recorded answer `repeat` times, each in the pieces a backend's
/// writes arrive in (one per SSE event; a JSON answer whole), so that callgrind's count inside
/// `account` divided by the runs and the bytes gives instructions per answer and per byte.
///
/// `UsageCost <chat-stream|chat-json|tiny-json|responses-stream|anthropic-stream> [repeat]`
@main
struct UsageCost {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let answer = Answer.named(arguments[1]) else {
            print("usage: UsageCost <\(Answer.all.map(\.name).joined(separator: "|"))> [repeat]")
            return
        }
        let runs = arguments.count > 2 ? Int(arguments[2]) ?? 1 : 1
        var total = TokenUsage()
        for _ in 0..<runs {
            let usage = account(answer)
            total.input = (total.input ?? 0) &+ (usage.input ?? 0)
            total.output = (total.output ?? 0) &+ (usage.output ?? 0)
        }
        let bytes = answer.pieces.reduce(0) { $0 + $1.count }
        print(
            "\(answer.name): \(runs) runs of \(bytes) bytes in \(answer.pieces.count) pieces, usage \(account(answer))"
        )
        precondition(total.input == runs * (account(answer).input ?? 0))
    }

    /// What the relay will do per answer: a scanner from the head's values, each piece fed, the usage read.
    @inline(never)
    static func account(_ answer: Answer) -> TokenUsage {
        var scanner = UsageScanner(contentType: answer.contentType, contentEncoding: nil)
        for piece in answer.pieces {
            piece.withUnsafeBytes { scanner.feed($0) }
        }
        return scanner.usage
    }
}

struct Answer {
    var name: String
    var contentType: String
    var pieces: [[UInt8]]

    static func named(_ name: String) -> Answer? { all.first { $0.name == name } }

    static func events(_ name: String, _ events: [String]) -> Answer {
        Answer(
            name: name,
            contentType: "text/event-stream",
            pieces: events.map { Array(("data: " + $0 + "\n\n").utf8) }
        )
    }

    static var all: [Answer] {
        let chunk = { (content: String) in
            #"{"id":"chatcmpl-b2c1","object":"chat.completion.chunk","created":1733223000,"model":"granite-3.1-8b","choices":[{"index":0,"delta":{"content":"\#(content)"},"logprobs":null,"finish_reason":null}]}"#
        }
        let words = "The quick brown fox jumps over the lazy dog and keeps running through the quiet field".split(
            separator: " "
        )
        var chat = [chunk("")]
        for index in 0..<200 { chat.append(chunk(" " + words[index % words.count])) }
        chat.append(
            #"{"id":"chatcmpl-b2c1","object":"chat.completion.chunk","created":1733223000,"model":"granite-3.1-8b","choices":[],"usage":{"prompt_tokens":17,"total_tokens":217,"completion_tokens":200,"prompt_tokens_details":null}}"#
        )
        chat.append("[DONE]")

        let json =
            #"{"id":"chatcmpl-e5","object":"chat.completion","created":1733223004,"model":"granite-3.1-8b","choices":[{"index":0,"message":{"role":"assistant","reasoning_content":null,"content":"The answer is 4.","tool_calls":[]},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":24,"total_tokens":39,"completion_tokens":15,"prompt_tokens_details":null},"prompt_logprobs":null,"kv_transfer_params":null}"#

        var responses = [
            #"{"type":"response.created","sequence_number":0,"response":{"id":"resp_67c","object":"response","status":"in_progress","output":[],"usage":null}}"#
        ]
        for index in 0..<200 {
            responses.append(
                #"{"type":"response.output_text.delta","sequence_number":\#(index + 1),"item_id":"msg_67c","output_index":0,"content_index":0,"delta":" \#(words[index % words.count])","logprobs":[]}"#
            )
        }
        responses.append(
            #"{"type":"response.completed","sequence_number":202,"response":{"id":"resp_67c","object":"response","status":"completed","output":[{"id":"msg_67c","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"\#(String(repeating: "word ", count: 200))"}]}],"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":4},"output_tokens":200,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":237}}}"#
        )

        var anthropic = [
            #"{"type":"message_start","message":{"id":"msg_01XF","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"output_tokens":2}}}"#
        ]
        for index in 0..<200 {
            anthropic.append(
                #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" \#(words[index % words.count])"}}"#
            )
        }
        anthropic.append(
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":200}}"#
        )

        return [
            events("chat-stream", chat),
            Answer(name: "chat-json", contentType: "application/json", pieces: [Array(json.utf8)]),
            // bench/cost.sh's backend answer: what a non-streamed call costs there (issue 11's bar).
            Answer(
                name: "cost-json",
                contentType: "application/json",
                pieces: [
                    Array(
                        #"{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"facebook/opt-125m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18}}"#
                            .utf8
                    )
                ]
            ),
            // The floor: scanner, format and result around the smallest answer with usage.
            Answer(
                name: "tiny-json",
                contentType: "application/json",
                pieces: [Array(#"{"usage":{"prompt_tokens":5,"completion_tokens":1}}"#.utf8)]
            ),
            events("responses-stream", responses),
            Answer(
                name: "anthropic-stream",
                contentType: "text/event-stream",
                pieces: anthropic.map { Array(("event: x\ndata: " + $0 + "\n\n").utf8) }
            ),
        ]
    }
}
