import Yams

/// What the fake backend serves, per path prefix, so one process can stand in for many backends.
///
/// Read from YAML or JSON (JSON is YAML): `{models: [FakeModel...]}`.
struct FakeServerConfig: Decodable, Sendable {
    /// Longest prefix first, so the first match is the best one.
    private(set) var models: [FakeModel]

    init(models: [FakeModel]) {
        self.models = models.sorted { $0.normalizedPrefix.utf8.count > $1.normalizedPrefix.utf8.count }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(models: try container.decode([FakeModel].self, forKey: .models))
    }

    private enum CodingKeys: String, CodingKey { case models }

    /// No config file: one model at the root serving `ids`, open to every caller.
    static func bare(ids: [String] = ["fake-model"], delayMs: Int? = nil) -> FakeServerConfig {
        var model = FakeModel(prefix: "", ids: ids)
        model.delayMs = delayMs
        return FakeServerConfig(models: [model])
    }

    static func load(yaml: String) throws -> FakeServerConfig {
        try YAMLDecoder().decode(FakeServerConfig.self, from: yaml)
    }

    /// The model whose prefix is the longest whole-segment prefix of `path`, with the rest of the path.
    func model(for path: String) -> (FakeModel, Substring)? {
        for model in models {
            let prefix = model.normalizedPrefix
            guard path.utf8.starts(with: prefix.utf8) else { continue }
            let rest = path.utf8.dropFirst(prefix.utf8.count)
            guard rest.isEmpty || rest.first == UInt8(ascii: "/") else { continue }
            return (model, Substring(rest))
        }
        return nil
    }
}
