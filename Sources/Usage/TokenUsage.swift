/// The token counts one answer reported (SPEC 7): each field only when the backend sent it, never an
/// invented 0.
public struct TokenUsage: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// `prompt_tokens` (OpenAI chat, completions, embeddings) or `input_tokens` (Responses API, Anthropic),
    /// as the backend counts them: Anthropic's excludes the tokens read from its cache, OpenAI's includes them.
    public var input: Int?
    /// `completion_tokens` or `output_tokens`.
    public var output: Int?
    /// `prompt_tokens_details.cached_tokens`, `input_tokens_details.cached_tokens` or Anthropic's
    /// `cache_read_input_tokens` (`cache_creation_input_tokens` is neither input nor cached input).
    public var cachedInput: Int?

    public init(input: Int? = nil, output: Int? = nil, cachedInput: Int? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
    }

    /// No field was reported.
    public var isEmpty: Bool { input == nil && output == nil && cachedInput == nil }

    /// Takes every field `newer` reports; the others keep their value (the last reported value wins).
    public mutating func merge(_ newer: TokenUsage) {
        if let input = newer.input { self.input = input }
        if let output = newer.output { self.output = output }
        if let cachedInput = newer.cachedInput { self.cachedInput = cachedInput }
    }

    public var description: String {
        func text(_ value: Int?) -> String { value.map(String.init) ?? "-" }
        return "input \(text(input)), output \(text(output)), cachedInput \(text(cachedInput))"
    }
}
