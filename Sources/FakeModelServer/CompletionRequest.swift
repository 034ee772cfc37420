import Foundation

/// The parts of a completion request body this server reacts to. A body that is not a JSON object counts as `{}`;
/// a field of the wrong type counts as absent.
///
/// Test knobs: `n_chunks`, `chunk_interval_ms`, `response_bytes`, `abort_after_chunks`, `delay_ms`,
/// `cached_tokens` (reported as cached input), `omit_usage` (answer without any usage).
struct CompletionRequest {
    /// The API whose shapes the answer takes: OpenAI chat or text completions, the Responses API,
    /// or Anthropic-style messages.
    enum Kind {
        case chat
        case text
        case responses
        case messages
    }

    var kind: Kind
    var model: String?
    var stream = false
    var chunks: Int?
    var chunkIntervalMs: Int?
    var responseBytes: Int?
    var abortAfterChunks: Int?
    /// Wait before the response head (non-streamed: the whole reply; streamed: the head and first event).
    /// Negative counts as absent.
    var delayMs: Int?
    /// For embeddings: how many inputs (`input` as an array), else 1.
    var inputCount = 1
    var bodyBytes: Int
    /// `stream_options.include_usage`: a usage chunk (`choices: []`) before `[DONE]`.
    var includeUsage = false
    /// `stream_options.continuous_usage_stats` (vLLM): usage in every chunk.
    var continuousUsage = false
    var cachedTokens: Int?
    var omitUsage = false

    init(kind: Kind, body: [UInt8]) {
        self.kind = kind
        bodyBytes = body.count
        guard !body.isEmpty, let object = TopLevelJSON(body) else { return }
        if case .string(let model) = object["model"] { self.model = model }
        if case .bool(let stream) = object["stream"] { self.stream = stream }
        chunks = Self.int(object["n_chunks"])
        chunkIntervalMs = Self.int(object["chunk_interval_ms"])
        responseBytes = Self.int(object["response_bytes"])
        abortAfterChunks = Self.int(object["abort_after_chunks"])
        delayMs = Self.int(object["delay_ms"]).flatMap { $0 >= 0 ? $0 : nil }
        if case .array(let count) = object["input"] { inputCount = max(count, 1) }
        cachedTokens = Self.int(object["cached_tokens"])
        if case .bool(let omit) = object["omit_usage"] { omitUsage = omit }
        if case .object = object["stream_options"] { readStreamOptions(body) }
    }

    /// `stream_options` is nested, which TopLevelJSON skips: this test double can afford Foundation here.
    private mutating func readStreamOptions(_ body: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let options = object["stream_options"] as? [String: Any]
        else { return }
        includeUsage = options["include_usage"] as? Bool ?? false
        continuousUsage = options["continuous_usage_stats"] as? Bool ?? false
    }

    /// A rough token count for `usage`: vLLM's are real, tests only need plausible numbers.
    var promptTokens: Int { max(1, bodyBytes / 4) }

    /// What the answer reports, nil with `omit_usage`.
    func usage(completionTokens: Int) -> FakeUsage? {
        omitUsage
            ? nil
            : FakeUsage(promptTokens: promptTokens, completionTokens: completionTokens, cachedTokens: cachedTokens)
    }

    private static func int(_ value: TopLevelJSON.Value?) -> Int? {
        guard case .number(let number) = value, number.isFinite, abs(number) < 1e15 else { return nil }
        return Int(number)
    }
}
