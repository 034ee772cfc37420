/// One simulated model backend, served under `prefix`.
struct FakeModel: Decodable, Sendable {
    /// Requests under this path prefix belong to this model ("" or "/" = root).
    var prefix: String
    /// Served ids, in `/v1/models` order; default: the last prefix segment (`fake-model` at the root).
    var ids: [String]?
    /// `created` of every id, or per id.
    var created: CreatedTimes?
    /// `Authorization` value (exact) → rule.
    var tokens: [String: TokenRule]
    /// For any other or missing token.
    var defaultRule: TokenRule
    /// Delay before answering `/v1/models`.
    var delayMs: Int?
    /// The first N `/v1/models` requests get 503 (retry tests).
    var failFirst: Int?
    /// Stream defaults; request body fields `n_chunks` and `chunk_interval_ms` override them.
    var streamChunks: Int?
    var chunkIntervalMs: Int?
    /// 1-based ordinals of requests on one client connection: when the N-th request on a connection is for this
    /// model, the connection is closed without an answer (a backend closing a keep-alive connection as it is reused).
    var dropRequests: Set<Int> = []

    /// The prefix without a trailing `/`: "" for the root.
    let normalizedPrefix: String

    init(prefix: String, ids: [String]?) {
        self.prefix = prefix
        self.ids = ids
        tokens = [:]
        defaultRule = TokenRule(status: 200)
        normalizedPrefix = Self.normalize(prefix)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        prefix = try container.decodeIfPresent(String.self, forKey: .prefix) ?? ""
        ids = try container.decodeIfPresent([String].self, forKey: .ids)
        created = try container.decodeIfPresent(CreatedTimes.self, forKey: .created)
        tokens = try container.decodeIfPresent([String: TokenRule].self, forKey: .tokens) ?? [:]
        defaultRule = try container.decodeIfPresent(TokenRule.self, forKey: .defaultRule) ?? TokenRule(status: 200)
        delayMs = try container.decodeIfPresent(Int.self, forKey: .delayMs)
        failFirst = try container.decodeIfPresent(Int.self, forKey: .failFirst)
        streamChunks = try container.decodeIfPresent(Int.self, forKey: .streamChunks)
        chunkIntervalMs = try container.decodeIfPresent(Int.self, forKey: .chunkIntervalMs)
        let drops = try container.decodeIfPresent([Int].self, forKey: .dropRequests) ?? []
        guard drops.allSatisfy({ $0 >= 1 }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .dropRequests,
                in: container,
                debugDescription: "request ordinals start at 1"
            )
        }
        dropRequests = Set(drops)
        normalizedPrefix = Self.normalize(prefix)
    }

    private enum CodingKeys: String, CodingKey {
        case prefix, ids, created, tokens, delayMs, failFirst, streamChunks, chunkIntervalMs, dropRequests
        case defaultRule = "default"
    }

    private static func normalize(_ prefix: String) -> String {
        var trimmed = Substring(prefix)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return trimmed.isEmpty ? "" : (trimmed.hasPrefix("/") ? String(trimmed) : "/" + trimmed)
    }

    var servedIDs: [String] {
        ids ?? [normalizedPrefix.split(separator: "/").last.map(String.init) ?? "fake-model"]
    }

    /// The id answered when a request names no model.
    var primaryID: String { servedIDs.first ?? "fake-model" }

    func rule(for authorization: String?) -> TokenRule {
        if let authorization, let rule = tokens[authorization] { return rule }
        return defaultRule
    }

    func created(for id: String) -> Int {
        switch created {
        case .none: 0
        case .all(let seconds): seconds
        case .perID(let table): table[id] ?? 0
        }
    }
}

/// `created: 1700000000` (every id) or `created: {id: seconds}`.
enum CreatedTimes: Decodable, Sendable {
    case all(Int)
    case perID([String: Int])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Int.self) {
            self = .all(seconds)
        } else {
            self = .perID(try container.decode([String: Int].self))
        }
    }
}
