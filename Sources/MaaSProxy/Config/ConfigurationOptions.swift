import ArgumentParser

/// The configuration flags of SPEC 6, shared by `serve` and `check-config` (`@OptionGroup`).
///
/// Values are kept as written and parsed by `resolve()`, so a bad flag is reported together with
/// the file's problems, in the same words (`--probe-deadline: expected a duration like "15s", got "x"`).
/// Without `--config` no file is read: the configuration is the defaults plus the flags.
struct ConfigurationOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("YAML configuration file; without it, defaults and flags only.", valueName: "file")
    )
    var configFile: String?

    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "Proxy listener (repeatable; replaces `listen`). Default 0.0.0.0:8080.",
            valueName: "host:port"
        )
    )
    var listen: [String] = []

    @Option(
        name: .customLong("admin-listen"),
        help: ArgumentHelp("Admin listener (`admin.listen`). Default 127.0.0.1:9090.", valueName: "host:port")
    )
    var adminListen: String?

    @Option(
        name: .customLong("models"),
        help: ArgumentHelp(
            "Manifest file or directory (repeatable; replaces `models.paths`). Default config/models.",
            valueName: "path"
        )
    )
    var models: [String] = []

    @Option(
        name: .customLong("workers"),
        help: ArgumentHelp("Event loops, 1-256 (`workers`). Default: number of cores.", valueName: "n")
    )
    var workers: String?

    @Option(
        name: .customLong("probe-deadline"),
        help: ArgumentHelp(
            "Bound on one access check, at least 1s (`probe.deadline`). Default 15s.",
            valueName: "duration"
        )
    )
    var probeDeadline: String?

    @Option(
        name: .customLong("cache-ttl"),
        help: ArgumentHelp("Lifetime of a granted decision (`cache.ttl`). Default 60s.", valueName: "duration")
    )
    var cacheTTL: String?

    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp("PEM certificate for the listeners (`tls.certificate`); needs --tls-key.", valueName: "file")
    )
    var tlsCertificate: String?

    @Option(
        name: .customLong("tls-key"),
        help: ArgumentHelp("PEM private key for the listeners (`tls.privateKey`); needs --tls-cert.", valueName: "file")
    )
    var tlsPrivateKey: String?

    @Option(
        name: .customLong("ca-bundle"),
        help: ArgumentHelp("Extra PEM CAs for upstream TLS (`upstream.caBundle`).", valueName: "file")
    )
    var caBundle: String?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "trace, debug, info, notice, warning, error or critical (`log.level`). Default info.",
            valueName: "level"
        )
    )
    var logLevel: String?

    init() {}

    /// The configuration to run with: flags, then the `--config` file, then defaults (SPEC 6).
    ///
    /// - Throws: `ConfigurationError` listing every problem, each naming its file and key or its flag.
    func resolve() throws -> ProxyConfiguration {
        var draft = ConfigurationDraft()
        if let configFile { ConfigurationLoader.load(file: configFile, into: &draft) }
        apply(to: &draft)
        return try draft.finish()
    }

    /// Applies the flags that were given over what `draft` holds.
    func apply(to draft: inout ConfigurationDraft) {
        if !listen.isEmpty {
            flag("--listen", listen, key: "listen", \.listen, ListenAddress.init(parsing:), into: &draft)
        }
        flag(
            "--admin-listen",
            adminListen,
            key: "admin.listen",
            \.adminListen,
            ListenAddress.init(parsing:),
            into: &draft
        )
        if !models.isEmpty { draft.set(\.models.paths, to: models, key: "models.paths", from: .flag("--models")) }
        flag(
            "--workers",
            workers,
            key: "workers",
            \.workers,
            { text throws(ConfigurationValueError) in
                try ScalarParser.integer(text)
            },
            into: &draft
        )
        flag(
            "--probe-deadline",
            probeDeadline,
            key: "probe.deadline",
            \.probe.deadline,
            DurationParser.parse,
            into: &draft
        )
        flag("--cache-ttl", cacheTTL, key: "cache.ttl", \.cache.ttl, DurationParser.parse, into: &draft)
        flag("--tls-cert", tlsCertificate, key: "tls.certificate", \.tls.certificate, { $0 }, into: &draft)
        flag("--tls-key", tlsPrivateKey, key: "tls.privateKey", \.tls.privateKey, { $0 }, into: &draft)
        flag("--ca-bundle", caBundle, key: "upstream.caBundle", \.upstream.caBundle, { $0 }, into: &draft)
        flag("--log-level", logLevel, key: "log.level", \.log.level, ScalarParser.logLevel, into: &draft)
    }

    private func flag<Value>(
        _ name: String,
        _ text: String?,
        key: String,
        _ keyPath: WritableKeyPath<ProxyConfiguration, Value>,
        _ parse: (String) throws(ConfigurationValueError) -> Value,
        into draft: inout ConfigurationDraft
    ) {
        guard let text else { return }
        do throws(ConfigurationValueError) {
            draft.set(keyPath, to: try parse(text), key: key, from: .flag(name))
        } catch {
            draft.report(.invalid(key, error.message, source: .flag(name)))
        }
    }

    /// A repeatable flag: the list is replaced only when every value parses.
    private func flag<Item>(
        _ name: String,
        _ texts: [String],
        key: String,
        _ keyPath: WritableKeyPath<ProxyConfiguration, [Item]>,
        _ parse: (String) throws(ConfigurationValueError) -> Item,
        into draft: inout ConfigurationDraft
    ) {
        var items: [Item] = []
        for text in texts {
            do throws(ConfigurationValueError) {
                items.append(try parse(text))
            } catch {
                draft.report(.invalid(key, error.message, source: .flag(name)))
            }
        }
        if items.count == texts.count { draft.set(keyPath, to: items, key: key, from: .flag(name)) }
    }
}
