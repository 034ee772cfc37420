import Testing

@testable import MaaSProxy

/// Which forwarded calls are metered for token usage (SPEC 7, docs/operating.md).
@Suite struct InferenceAPITests {
    @Test(arguments: [
        ("/v1/chat/completions", InferenceAPI.chatCompletions as InferenceAPI?),
        ("/llm/m/v1/chat/completions", .chatCompletions),
        ("/v1/completions", .completions),
        ("/team/model/v1/completions", .completions),
        ("/v1/embeddings", .embeddings),
        ("/v1/responses", .responses),
        ("/v1/messages", .messages),
        ("/v1/models", nil),
        ("/v1/audio/transcriptions", nil),
        ("/v1/chat/completions/", nil),
        ("/v1/chat/completion", nil),
        ("/x/v2/completions", nil),
        ("completions", nil),
        ("", nil),
        ("s", nil),
    ])
    func paths(path: String, expected: InferenceAPI?) {
        #expect(InferenceAPI(path: path) == expected)
        #expect(InferenceAPI(path: Substring(path)) == expected)
    }

    @Test func onlyCompletionsTakeStreamOptions() {
        #expect(InferenceAPI.allCases.filter(\.takesStreamOptions) == [.chatCompletions, .completions])
    }
}
