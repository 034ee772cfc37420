/// A configuration being assembled: defaults, then a file, then flags (SPEC 6 precedence), with
/// the problems found reading them and where each key's value came from.
///
/// A value that cannot be read is reported and not applied, so reading goes on and every problem
/// is reported at once. `finish()` then runs the rules of `ProxyConfiguration.validationProblems()`
/// and names, for each, the file or flag that set the key.
struct ConfigurationDraft: Sendable {
    private(set) var configuration: ProxyConfiguration
    /// Problems found reading values (wrong type, unknown key, unreadable file).
    private(set) var problems: [ConfigurationProblem] = []
    /// The source of each dotted key set so far; a later source replaces an earlier one.
    private(set) var origins: [String: ConfigurationProblem.Source] = [:]

    init(base: ProxyConfiguration = ProxyConfiguration()) {
        configuration = base
    }

    mutating func set<Value>(
        _ keyPath: WritableKeyPath<ProxyConfiguration, Value>,
        to value: Value,
        key: String,
        from source: ConfigurationProblem.Source
    ) {
        configuration[keyPath: keyPath] = value
        origins[key] = source
    }

    mutating func report(_ problem: ConfigurationProblem) {
        problems.append(problem)
    }

    /// The configuration, or every problem: those found reading plus those of validation.
    func finish() throws(ConfigurationError) -> ProxyConfiguration {
        let readKeys = problems.map(\.baseKey)
        let validation = configuration.validationProblems().filter { problem in
            // A rule about a key that could not be read would judge the default left in its place
            // (e.g. `tls.privateKey` of the wrong type, then "certificate without key").
            !readKeys.contains { $0 == problem.key || $0.hasPrefix(problem.key + ".") }
        }.map(attributed)
        let all = problems + validation
        guard all.isEmpty else { throw ConfigurationError(problems: all) }
        return configuration
    }

    /// `problem` with the source of the key it is about: the one file or flag that set that key,
    /// a key under it or the key it is under; `.merged` when several did or none did.
    private func attributed(_ problem: ConfigurationProblem) -> ConfigurationProblem {
        let key = problem.key
        let sources = Set(
            origins.filter { $0.key == key || $0.key.hasPrefix(key + ".") || key.hasPrefix($0.key + ".") }
                .map(\.value)
        )
        var copy = problem
        copy.source = sources.count == 1 ? sources.first! : .merged
        return copy
    }
}
