/// The parts of a completion request body this server reacts to. A body that is not a JSON object counts as `{}`;
/// a field of the wrong type counts as absent.
///
/// Test knobs: `n_chunks`, `chunk_interval_ms`, `response_bytes`, `abort_after_chunks`, `delay_ms`.
struct CompletionRequest {
    /// `/v1/chat/completions` or `/v1/completions`: they differ in response shapes.
    enum Kind {
        case chat
        case text
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
    }

    /// A rough token count for `usage`: vLLM's are real, tests only need plausible numbers.
    var promptTokens: Int { max(1, bodyBytes / 4) }

    private static func int(_ value: TopLevelJSON.Value?) -> Int? {
        guard case .number(let number) = value, number.isFinite, abs(number) < 1e15 else { return nil }
        return Int(number)
    }
}
