/// One thing wrong with the configuration, naming where it is: the file and dotted key, or the flag.
///
/// Rendered as `FILE: KEY: MESSAGE`, `FILE: unknown key "KEY"`, `--flag: MESSAGE`, or `KEY: MESSAGE`
/// when the value came from several places (a rule across keys, or a default).
struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    /// Where the offending value was written.
    enum Source: Sendable, Hashable {
        /// A configuration file, by the path it was given as.
        case file(String)
        /// A command-line flag, by its name (`--probe-deadline`).
        case flag(String)
        /// Values from several sources, or defaults.
        case merged
    }

    enum Reason: Sendable, Hashable {
        /// The key is not part of SPEC 6; `suggestion` is a near-miss known key, full dotted name.
        case unknownKey(suggestion: String?)
        /// The value is refused; the message says what was expected.
        case invalid(String)
    }

    var source: Source
    /// The dotted configuration key (`probe.deadline`, `listen[1]`, `kinds.MyKind.probe`), also
    /// for problems found in flags; empty for problems with a whole file (unreadable, not YAML).
    var key: String
    var reason: Reason

    init(source: Source, key: String, reason: Reason) {
        self.source = source
        self.key = key
        self.reason = reason
    }

    /// A refused value.
    static func invalid(_ key: String, _ message: String, source: Source = .merged) -> ConfigurationProblem {
        ConfigurationProblem(source: source, key: key, reason: .invalid(message))
    }

    /// The message without the source and key.
    var message: String {
        switch reason {
        case .unknownKey(let suggestion):
            var text = "unknown key \(ConfigurationValueError.quoted(key))"
            if let suggestion { text += " (did you mean \(ConfigurationValueError.quoted(suggestion))?)" }
            return text
        case .invalid(let message):
            return message
        }
    }

    var description: String {
        switch (source, reason) {
        case (.file(let path), .unknownKey):
            return "\(path): \(message)"
        case (.file(let path), .invalid(let message)):
            return key.isEmpty ? "\(path): \(message)" : "\(path): \(key): \(message)"
        case (.flag(let name), _):
            return "\(name): \(message)"
        case (.merged, .unknownKey):
            return message
        case (.merged, .invalid(let message)):
            return key.isEmpty ? message : "\(key): \(message)"
        }
    }

    /// The key without list indices (`listen[1]` → `listen`): the key a rule or an origin is about.
    var baseKey: String {
        guard let bracket = key.firstIndex(of: "[") else { return key }
        return String(key[..<bracket])
    }
}
