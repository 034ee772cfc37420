import Foundation
import Yams

/// What the fake backend serves, per path prefix (so one process can stand in for many backends).
struct FakeServerConfig: Codable, Sendable {
    var models: [FakeModel]

    static let bare = FakeServerConfig(models: [FakeModel(prefix: "", ids: ["fake-model"])])

    static func load(yaml: String) throws -> FakeServerConfig {
        try YAMLDecoder().decode(FakeServerConfig.self, from: yaml)
    }

    /// The model whose prefix is the longest whole-segment prefix of `path`, with the rest of the path.
    func model(for path: Substring) -> (FakeModel, Substring)? {
        var best: (FakeModel, Substring)?
        for model in models {
            let prefix = model.normalizedPrefix
            guard path.hasPrefix(prefix) else { continue }
            let rest = path.dropFirst(prefix.count)
            guard rest.isEmpty || rest.hasPrefix("/") else { continue }
            if best == nil || prefix.count > best!.0.normalizedPrefix.count { best = (model, rest) }
        }
        return best
    }
}

/// One simulated model backend.
struct FakeModel: Codable, Sendable {
    var prefix: String
    var ids: [String]?
    var created: Int?
    /// `Authorization` value (exact) → rule.
    var tokens: [String: TokenRule]?
    var `default`: TokenRule?
    /// Delay before answering `/v1/models`.
    var delayMs: Int?
    /// The first N `/v1/models` requests get 503 (retry tests).
    var failFirst: Int?
    var streamChunks: Int?
    var chunkIntervalMs: Int?

    init(prefix: String, ids: [String]) {
        self.prefix = prefix
        self.ids = ids
    }

    var normalizedPrefix: String {
        prefix == "/" ? "" : (prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
    }

    var servedIDs: [String] {
        ids ?? [normalizedPrefix.split(separator: "/").last.map(String.init) ?? "fake-model"]
    }

    func rule(for authorization: String?) -> TokenRule {
        if let authorization, let rule = tokens?[authorization] { return rule }
        return self.default ?? TokenRule(status: 200)
    }
}

/// How the backend answers one token.
struct TokenRule: Codable, Sendable {
    var status: Int
    /// Served ids for this token only.
    var ids: [String]?
    /// A raw body replacing the generated one.
    var body: String?
    /// Pads a 200 listing with this many extra bytes (oversized-body tests).
    var padBytes: Int?
}
