/// The inference calls whose answers report token usage (SPEC 7), told by the path's last
/// segments (after any route prefix).
///
/// Only these count towards `maas_proxy_usage_missing_total`: a model listing, a health check or
/// an audio transcription forwarded by path has no usage to miss.
enum InferenceAPI: String, Sendable, CaseIterable {
    case chatCompletions = "/v1/chat/completions"
    case completions = "/v1/completions"
    case embeddings = "/v1/embeddings"
    case responses = "/v1/responses"
    case messages = "/v1/messages"

    /// The API `path` calls, nil for any other path.
    init?(path: some StringProtocol) {
        // Longest first would not matter: no suffix here ends another.
        guard let api = Self.allCases.first(where: { path.hasSuffix($0.rawValue) }) else { return nil }
        self = api
    }

    /// Whether `stream_options.include_usage` applies (`usage.forceStreamUsage`): chat and text
    /// completions only.
    var takesStreamOptions: Bool { self == .chatCompletions || self == .completions }
}
