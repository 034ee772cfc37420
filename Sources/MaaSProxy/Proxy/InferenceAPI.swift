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
    init?(path: Substring) {
        // Every forwarded POST asks: compare bytes from the end, and only paths ending in `s` (all
        // five do) get that far. No suffix here ends another, so the order does not matter.
        let utf8 = path.utf8
        guard utf8.last == UInt8(ascii: "s") else { return nil }
        for api in Self.allCases {
            let suffix = api.rawValue.utf8
            if utf8.count >= suffix.count, utf8.reversed().starts(with: suffix.reversed()) {
                self = api
                return
            }
        }
        return nil
    }

    init?(path: String) { self.init(path: Substring(path)) }

    /// Whether `stream_options.include_usage` applies (`usage.forceStreamUsage`): chat and text
    /// completions only.
    var takesStreamOptions: Bool { self == .chatCompletions || self == .completions }
}
