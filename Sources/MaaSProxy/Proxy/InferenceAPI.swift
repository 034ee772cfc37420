#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        // Every forwarded POST asks: the path's bytes in place (a Substring of a native String is
        // contiguous), compared from the end; only paths ending in `s` (all five do) get that far.
        guard let api = path.utf8.withContiguousStorageIfAvailable(Self.api(endingWith:)) ?? nil else { return nil }
        self = api
    }

    init?(path: String) { self.init(path: Substring(path)) }

    private static let suffixes: [(StaticString, InferenceAPI)] = [
        ("/v1/chat/completions", .chatCompletions), ("/v1/completions", .completions),
        ("/v1/embeddings", .embeddings), ("/v1/responses", .responses), ("/v1/messages", .messages),
    ]

    private static func api(endingWith path: UnsafeBufferPointer<UInt8>) -> InferenceAPI? {
        guard path.last == UInt8(ascii: "s"), let base = path.baseAddress else { return nil }
        // No suffix here ends another, so the order does not matter.
        for (suffix, api) in suffixes where path.count >= suffix.utf8CodeUnitCount {
            let count = suffix.utf8CodeUnitCount
            if memcmp(base + (path.count - count), suffix.utf8Start, count) == 0 { return api }
        }
        return nil
    }

    /// Whether `stream_options.include_usage` applies (`usage.forceStreamUsage`): chat and text
    /// completions only.
    var takesStreamOptions: Bool { self == .chatCompletions || self == .completions }
}
