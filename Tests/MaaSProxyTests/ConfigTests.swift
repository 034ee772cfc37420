import Foundation
import Logging
import Routing
import Testing

@testable import MaaSProxy

@Suite struct ConfigTests {
    // MARK: Helpers

    /// `yaml` read as the file `test.yaml` over the defaults, then validated.
    private func load(_ yaml: String) -> Result<ProxyConfiguration, ConfigurationError> {
        var draft = ConfigurationDraft()
        ConfigurationLoader.apply(yaml: yaml, file: "test.yaml", to: &draft)
        do throws(ConfigurationError) {
            return .success(try draft.finish())
        } catch {
            return .failure(error)
        }
    }

    private func problems(_ yaml: String) -> [ConfigurationProblem] {
        guard case .failure(let error) = load(yaml) else { return [] }
        return error.problems
    }

    private func descriptions(_ yaml: String) -> [String] {
        problems(yaml).map(\.description)
    }

    private func resolve(_ arguments: [String]) throws -> ProxyConfiguration {
        try ConfigurationOptions.parse(arguments).resolve()
    }

    private func resolveProblems(_ arguments: [String]) throws -> [String] {
        do {
            _ = try resolve(arguments)
            return []
        } catch let error as ConfigurationError {
            return error.problems.map(\.description)
        }
    }

    /// Writes `contents` to a fresh file and passes its path.
    private func withFile<T>(_ contents: String, _ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("maas-proxy-\(UUID().uuidString).yaml")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }

    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let bundledFile = repositoryRoot.appendingPathComponent("config/maas-proxy.yaml").path

    // MARK: Durations

    @Test(arguments: [
        ("15s", Duration.seconds(15)),
        ("500ms", .milliseconds(500)),
        ("2m", .seconds(120)),
        ("1h", .seconds(3600)),
        ("1.5s", .milliseconds(1500)),
        (".5s", .milliseconds(500)),
        ("0.001s", .milliseconds(1)),
        ("250us", .microseconds(250)),
        ("250µs", .microseconds(250)),
        ("10ns", .nanoseconds(10)),
        ("1m30s", .seconds(90)),
        ("1h0m0.5s", .milliseconds(3_600_500)),
        ("0s", .zero),
        ("600s", .seconds(600)),
        ("1.0000000001s", .nanoseconds(1_000_000_000)),
    ])
    func validDurations(text: String, expected: Duration) throws {
        #expect(try DurationParser.parse(text) == expected)
    }

    @Test(arguments: [
        ("", #"expected a duration like "15s", got """#),
        ("fast", #"expected a duration like "15s", got "fast""#),
        ("15", #"expected a duration like "15s", got "15": the unit is required (ns, us, ms, s, m or h)"#),
        ("1m30", "the unit is required"),
        ("-5s", "a duration cannot be negative"),
        ("+5s", #"got "+5s""#),
        ("15x", #"unknown unit "x""#),
        ("15 s", #"unknown unit " s""#),
        ("15S", #"unknown unit "S""#),
        ("s", #"got "s""#),
        ("1.5.5s", #"got "1.5.5s""#),
        ("3000000h", "too large"),
        ("99999999999999999999ns", "too large"),
    ])
    func invalidDurations(text: String, message: String) {
        #expect(throws: ConfigurationValueError.self) { try DurationParser.parse(text) }
        do {
            _ = try DurationParser.parse(text)
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test(arguments: [
        (Duration.seconds(15), "15s"), (.milliseconds(500), "500ms"), (.seconds(120), "2m"), (.seconds(3600), "1h"),
        (.seconds(90), "90s"), (.milliseconds(1500), "1500ms"), (.zero, "0s"), (.microseconds(3), "3us"),
        (.nanoseconds(7), "7ns"), (.seconds(-1), "-1s"),
    ])
    func formatDurations(duration: Duration, text: String) throws {
        #expect(DurationParser.format(duration) == text)
        if duration >= .zero { #expect(try DurationParser.parse(text) == duration) }
    }

    // MARK: Listen addresses

    @Test(arguments: [
        ("0.0.0.0:8080", "0.0.0.0", 8080),
        ("127.0.0.1:0", "127.0.0.1", 0),
        ("localhost:65535", "localhost", 65535),
        ("proxy_1.internal:80", "proxy_1.internal", 80),
        ("[::1]:9090", "::1", 9090),
        ("[::]:8080", "::", 8080),
        ("[fe80::1%eth0]:80", "fe80::1%eth0", 80),
    ])
    func validListenAddresses(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address == ListenAddress(host: host, port: port))
        #expect(address.description == text)
    }

    @Test(arguments: [
        ("8080", "the port is missing"),
        ("localhost", "the port is missing"),
        ("localhost:", "the port is missing"),
        (":8080", "the host is missing"),
        ("localhost:65536", "the port must be a number from 0 to 65535"),
        ("localhost:-1", "the port must be a number from 0 to 65535"),
        ("localhost:80a", "the port must be a number from 0 to 65535"),
        ("localhost:0000080", "the port must be a number from 0 to 65535"),
        ("::1:8080", "an IPv6 address needs brackets"),
        ("[::1]8080", "the port is missing"),
        ("[::1]", "the port is missing"),
        ("[::1:80", #"missing "]""#),
        ("[]:80", "only IPv6 addresses go in brackets"),
        ("[localhost]:80", "only IPv6 addresses go in brackets"),
        ("ho st:80", "the host is not a name or IP address"),
        ("*:80", "the host is not a name or IP address"),
    ])
    func invalidListenAddresses(text: String, message: String) {
        do {
            let address = try ListenAddress(parsing: text)
            Issue.record("parsed \(address)")
        } catch {
            #expect(error.message.hasPrefix(#"expected HOST:PORT like "0.0.0.0:8080" or "[::1]:8080", got "#))
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    // MARK: Integers

    @Test(arguments: [("10", 10), ("100_000", 100_000), ("-1", -1), ("+7", 7), ("007", 7)])
    func validIntegers(text: String, value: Int) throws {
        #expect(try ScalarParser.integer(text) == value)
    }

    @Test(arguments: ["", "ten", "1.5", "1e3", "0x10", "_1", "1_", "-", "99999999999999999999"])
    func invalidIntegers(text: String) {
        #expect(throws: ConfigurationValueError.self) { try ScalarParser.integer(text) }
    }

    // MARK: The bundled file

    @Test func bundledFileLoadsToTheDefaults() throws {
        #expect(try ConfigurationLoader.load(file: Self.bundledFile) == ProxyConfiguration())
        #expect(try resolve(["--config", Self.bundledFile]) == ProxyConfiguration())
    }

    @Test func bundledFileNamesEveryKey() throws {
        let text = try String(contentsOfFile: Self.bundledFile, encoding: .utf8)
        let keys = [
            "listen:", "admin:", "publicURL:", "workers:", "models:", "paths:", "kubernetes:", "enabled:",
            "namespaces:", "kubeconfig:", "kinds:", "probe:", "deadline:", "concurrency:", "cache:", "ttl:",
            "deniedTTL:", "unavailableTTL:", "maxEntries:", "tls:", "certificate:", "privateKey:", "upstream:",
            "caBundle:", "httpsOnly:", "insecureSkipVerify:", "connectTimeout:", "responseTimeout:", "idleTimeout:",
            "limits:", "maxRequestBodyBytes:", "maxHeaderBytes:", "requestReadTimeout:", "log:", "level:", "metrics:",
            "shutdownGrace:",
        ]
        for key in keys { #expect(text.contains(key), "\(key) missing from config/maas-proxy.yaml") }
    }

    @Test func noConfigFileMeansDefaults() throws {
        #expect(try resolve([]) == ProxyConfiguration())
    }

    @Test(arguments: ["", "# only a comment\n", "---\n", "~\n", "probe:\ncache:\n  # ttl: 5s\ntls:\nkinds:\n"])
    func emptyFilesAndSectionsKeepTheDefaults(yaml: String) throws {
        #expect(try load(yaml).get() == ProxyConfiguration())
    }

    @Test func defaults() {
        let configuration = ProxyConfiguration()
        #expect(configuration.listen == [ListenAddress(host: "0.0.0.0", port: 8080)])
        #expect(configuration.adminListen == ListenAddress(host: "127.0.0.1", port: 9090))
        #expect(configuration.publicURL == nil)
        #expect(ProxyConfiguration.workerRange.contains(configuration.workers))
        #expect(configuration.models.paths == ["config/models"])
        #expect(configuration.models.kubernetes == KubernetesSourceConfiguration(enabled: false, namespaces: []))
        #expect(configuration.kinds.isEmpty)
        #expect(configuration.probe.deadline == .seconds(15) && configuration.probe.concurrency == 10)
        #expect(configuration.cache.ttl == .seconds(60) && configuration.cache.deniedTTL == .seconds(10))
        #expect(configuration.cache.unavailableTTL == .seconds(2) && configuration.cache.maxEntries == 100_000)
        #expect(configuration.tls == TLSConfiguration() && !configuration.tls.isEnabled)
        #expect(configuration.upstream.caBundle == nil && !configuration.upstream.httpsOnly)
        #expect(!configuration.upstream.insecureSkipVerify && configuration.upstream.connectTimeout == .seconds(5))
        #expect(configuration.upstream.responseTimeout == .seconds(600))
        #expect(configuration.upstream.idleTimeout == .seconds(300))
        #expect(configuration.limits.maxRequestBodyBytes == 16_777_216 && configuration.limits.maxHeaderBytes == 65_536)
        #expect(configuration.limits.requestReadTimeout == .seconds(60))
        #expect(configuration.log.level == .info)
        #expect(configuration.metrics.enabled)
        #expect(configuration.shutdownGrace == .seconds(30))
        #expect(configuration.validationProblems().isEmpty)
    }

    // MARK: Every key

    @Test func everyKeyIsRead() throws {
        let yaml = """
            listen: ["127.0.0.1:1", "[::1]:2"]
            admin: {listen: "127.0.0.1:3"}
            publicURL: https://maas.example.com
            workers: 3
            models:
              paths: [a, b/c.yaml]
              kubernetes: {enabled: true, namespaces: [llm, opendatahub], kubeconfig: /k/config}
            kinds:
              InferenceService: {probe: {method: POST, path: /v1/check}}
              HostedModel: {probe: none}
            probe: {deadline: 2s, concurrency: 4}
            cache: {ttl: 5m, deniedTTL: 1s, unavailableTTL: 500ms, maxEntries: 100_000_0}
            tls: {certificate: c.pem, privateKey: k.pem}
            upstream:
              caBundle: ca.pem
              httpsOnly: true
              insecureSkipVerify: TRUE
              connectTimeout: 1s
              responseTimeout: 2m
              idleTimeout: 90s
            limits: {maxRequestBodyBytes: 1024, maxHeaderBytes: 2048, requestReadTimeout: 90s}
            listing: {url: proxy}
            log: {level: debug}
            metrics: {enabled: false}
            shutdownGrace: 0s
            """
        var expected = ProxyConfiguration()
        expected.listen = [ListenAddress(host: "127.0.0.1", port: 1), ListenAddress(host: "::1", port: 2)]
        expected.adminListen = ListenAddress(host: "127.0.0.1", port: 3)
        expected.publicURL = "https://maas.example.com"
        expected.workers = 3
        expected.models = ModelsConfiguration(
            paths: ["a", "b/c.yaml"],
            kubernetes: KubernetesSourceConfiguration(
                enabled: true,
                namespaces: ["llm", "opendatahub"],
                kubeconfig: "/k/config"
            )
        )
        expected.kinds = ["InferenceService": .http(method: "POST", path: "/v1/check"), "HostedModel": .none]
        expected.probe = ProbeConfiguration(deadline: .seconds(2), concurrency: 4)
        expected.cache = CacheConfiguration(
            ttl: .seconds(300),
            deniedTTL: .seconds(1),
            unavailableTTL: .milliseconds(500),
            maxEntries: 1_000_000
        )
        expected.tls = TLSConfiguration(certificate: "c.pem", privateKey: "k.pem")
        expected.upstream = UpstreamConfiguration(
            caBundle: "ca.pem",
            httpsOnly: true,
            insecureSkipVerify: true,
            connectTimeout: .seconds(1),
            responseTimeout: .seconds(120),
            idleTimeout: .seconds(90)
        )
        expected.limits = LimitsConfiguration(
            maxRequestBodyBytes: 1024,
            maxHeaderBytes: 2048,
            requestReadTimeout: .seconds(90)
        )
        expected.listing.url = .proxy
        expected.log.level = .debug
        expected.metrics.enabled = false
        expected.shutdownGrace = .zero
        let loaded = try load(yaml).get()
        #expect(loaded == expected)
        #expect(loaded.tls.isEnabled)
        #expect(loaded.publicEndpoint?.host == "maas.example.com")
    }

    @Test func metricsSwitch() throws {
        // Default on; a file turns it off (no flag); only true/false are booleans; check-config shows it.
        #expect(ProxyConfiguration().metrics.enabled)
        #expect(try load("metrics:\n  # enabled: false\n").get().metrics.enabled)
        let off = try load("metrics:\n  enabled: false\n").get()
        #expect(!off.metrics.enabled)
        #expect(try load("metrics: {enabled: TRUE}").get().metrics.enabled)
        #expect(off.effectiveYAML.contains("metrics:\n  enabled: false\n"))
        #expect(ProxyConfiguration().effectiveYAML.contains("metrics:\n  enabled: true\n"))
        #expect(try withFile(off.effectiveYAML) { try ConfigurationLoader.load(file: $0) } == off)
        #expect(
            descriptions("metrics:\n  enabled: off")
                == [#"test.yaml: metrics.enabled: expected true or false, got "off""#]
        )
        #expect(
            descriptions("metrics:\n  enabled: \"false\"")
                == [#"test.yaml: metrics.enabled: expected true or false, got "false": remove the quotes"#]
        )
        #expect(
            descriptions("metrics: false") == [
                #"test.yaml: metrics: expected a mapping with keys enabled, got "false""#
            ]
        )
        #expect(
            descriptions("metrics:\n  enable: false") == [
                #"test.yaml: unknown key "metrics.enable" (did you mean "metrics.enabled"?)"#
            ]
        )
        #expect(throws: (any Error).self) { try resolve(["--metrics-enabled", "false"]) }
    }

    @Test func nullClearsAnOptionalKey() throws {
        #expect(try load("publicURL: ~\ntls: {certificate: null, privateKey: }").get() == ProxyConfiguration())
    }

    // MARK: Kinds

    @Test func kindsAreReadAndRegistered() throws {
        let configuration = try load(
            """
            kinds:
              InferenceService:
                probe:
                  method: GET
                  path: /v1/models
              HostedModel:
                probe: none
              ExternalModel:
                probe: {method: HEAD, path: /health}
            """
        ).get()
        #expect(
            configuration.kinds == [
                "InferenceService": .modelsList, "HostedModel": .none,
                "ExternalModel": .http(method: "HEAD", path: "/health"),
            ]
        )
        let registry = configuration.kindRegistry
        #expect(registry.probe(forKind: "HostedModel") == ProbeSpec.none)
        #expect(registry.probe(forKind: "ExternalModel") == .http(method: "HEAD", path: "/health"))
        #expect(registry.probe(forKind: "llmisvc") == .modelsList)
        #expect(!registry.isKnown("Unknown"))
    }

    @Test(arguments: [
        ("kinds: [A]", #"test.yaml: kinds: expected a mapping of kind names to {probe: ...}, got a list"#),
        ("kinds:\n  A: none", #"test.yaml: kinds.A: expected a mapping like {probe: none}, got "none""#),
        ("kinds:\n  A:", "test.yaml: kinds.A.probe: missing: expected none or {method, path}"),
        ("kinds:\n  A: {}", "test.yaml: kinds.A.probe: missing: expected none or {method, path}"),
        (
            "kinds:\n  A: {probe: sometimes}",
            #"test.yaml: kinds.A.probe: expected none or a mapping {method, path}, got "sometimes""#
        ),
        ("kinds:\n  A: {probe: ~}", "test.yaml: kinds.A.probe: expected none or a mapping {method, path}, got null"),
        (
            "kinds:\n  A: {probe: {path: /v1/models}}",
            #"test.yaml: kinds.A.probe.method: missing: expected "GET" or another method"#
        ),
        (
            "kinds:\n  A: {probe: {method: GET}}",
            #"test.yaml: kinds.A.probe.path: missing: expected a path like "/v1/models""#
        ),
        (
            "kinds:\n  A: {probe: {method: [GET], path: /}}",
            #"test.yaml: kinds.A.probe.method: expected an HTTP method like "GET", got a list"#
        ),
        (
            "kinds:\n  A: {probe: none, prob: none}",
            #"test.yaml: unknown key "kinds.A.prob" (did you mean "kinds.A.probe"?)"#
        ),
        ("kinds:\n  A: {probe: {method: GET, path: /, verb: GET}}", #"test.yaml: unknown key "kinds.A.probe.verb""#),
    ])
    func kindShapeProblems(yaml: String, description: String) {
        #expect(descriptions(yaml) == [description])
    }

    // MARK: Unknown keys and wrong types

    @Test(arguments: [
        ("lisen: []", "lisen", #"test.yaml: unknown key "lisen" (did you mean "listen"?)"#),
        ("publicUrl: https://x", "publicUrl", #"test.yaml: unknown key "publicUrl" (did you mean "publicURL"?)"#),
        ("frobnicate: 1", "frobnicate", #"test.yaml: unknown key "frobnicate""#),
        (
            "probe:\n  dealine: 5s", "probe.dealine",
            #"test.yaml: unknown key "probe.dealine" (did you mean "probe.deadline"?)"#
        ),
        ("admin:\n  port: 9", "admin.port", #"test.yaml: unknown key "admin.port""#),
        (
            "models:\n  kubernetes:\n    enable: true", "models.kubernetes.enable",
            #"test.yaml: unknown key "models.kubernetes.enable" (did you mean "models.kubernetes.enabled"?)"#
        ),
        ("cache:\n  TTL: 5s", "cache.TTL", #"test.yaml: unknown key "cache.TTL" (did you mean "cache.ttl"?)"#),
        ("limits:\n  maxBodyBytes: 5", "limits.maxBodyBytes", #"test.yaml: unknown key "limits.maxBodyBytes""#),
    ])
    func unknownKeys(yaml: String, key: String, description: String) {
        let found = problems(yaml)
        #expect(found.map(\.key) == [key])
        #expect(found.map(\.description) == [description])
    }

    @Test(arguments: [
        ("probe:\n  deadline: fast", #"test.yaml: probe.deadline: expected a duration like "15s", got "fast""#),
        (
            "probe:\n  deadline: 15",
            #"test.yaml: probe.deadline: expected a duration like "15s", got "15": the unit is required (ns, us, ms, s, m or h)"#
        ),
        ("shutdownGrace:", #"test.yaml: shutdownGrace: expected a duration like "15s", got nothing"#),
        ("workers: four", #"test.yaml: workers: expected an integer, got "four""#),
        ("workers: 2.5", #"test.yaml: workers: expected an integer, got "2.5""#),
        ("workers: \"4\"", #"test.yaml: workers: expected an integer, got "4": remove the quotes"#),
        ("cache:\n  maxEntries: ~", "test.yaml: cache.maxEntries: expected an integer, got null"),
        (
            "limits:\n  maxHeaderBytes: 64KiB",
            #"test.yaml: limits.maxHeaderBytes: expected a number of bytes like 65536, got "64KiB""#
        ),
        ("upstream:\n  httpsOnly: yes", #"test.yaml: upstream.httpsOnly: expected true or false, got "yes""#),
        (
            "upstream:\n  httpsOnly: \"true\"",
            #"test.yaml: upstream.httpsOnly: expected true or false, got "true": remove the quotes"#
        ),
        (
            "upstream:\n  insecureSkipVerify: 1",
            #"test.yaml: upstream.insecureSkipVerify: expected true or false, got "1""#
        ),
        ("listen: 0.0.0.0:8080", #"test.yaml: listen: expected a list, got "0.0.0.0:8080""#),
        (
            "listen: [\"0.0.0.0:8080\", \"8081\"]",
            #"test.yaml: listen[1]: expected HOST:PORT like "0.0.0.0:8080" or "[::1]:8080", got "8081": the port is missing"#
        ),
        (
            "admin: {listen: {host: x}}",
            #"test.yaml: admin.listen: expected HOST:PORT like "0.0.0.0:8080" or "[::1]:8080", got a mapping"#
        ),
        ("admin: \"127.0.0.1:9\"", #"test.yaml: admin: expected a mapping with keys listen, got "127.0.0.1:9""#),
        ("probe: 5", #"test.yaml: probe: expected a mapping with keys concurrency, deadline, got "5""#),
        ("listing:\n  url: public", #"test.yaml: listing.url: expected endpoint or proxy, got "public""#),
        (
            "log:\n  level: loud",
            #"test.yaml: log.level: expected one of trace, debug, info, notice, warning, error, critical, got "loud""#
        ),
        ("models:\n  paths: [a, [b]]", "test.yaml: models.paths[1]: expected a file or directory path, got a list"),
        (
            "models:\n  kubernetes:\n    namespaces: llm",
            #"test.yaml: models.kubernetes.namespaces: expected a list, got "llm""#
        ),
        (
            "publicURL: [x]",
            #"test.yaml: publicURL: expected an absolute URL like "https://maas.example.com", got a list"#
        ),
        ("[1, 2]", "test.yaml: expected a mapping of configuration keys at the top level, got a list"),
    ])
    func wrongTypes(yaml: String, description: String) {
        #expect(descriptions(yaml) == [description])
    }

    @Test func invalidValuesAreNotApplied() {
        var draft = ConfigurationDraft()
        ConfigurationLoader.apply(yaml: "workers: many\nlisten: [\"127.0.0.1:1\", bad]", file: "f", to: &draft)
        #expect(draft.configuration == ProxyConfiguration())
        #expect(draft.problems.map(\.key) == ["workers", "listen[1]"])
    }

    @Test func everyProblemIsReportedTogether() {
        let yaml = """
            lisen: []
            workers: many
            probe:
              deadline: fast
              concurrency: 0
            cache:
              maxEntries: 0
            upstream:
              httpsOnly: maybe
            """
        guard case .failure(let error) = load(yaml) else {
            Issue.record("loaded")
            return
        }
        #expect(
            error.problems.map(\.key) == [
                "lisen", "workers", "probe.deadline", "upstream.httpsOnly", "probe.concurrency", "cache.maxEntries",
            ]
        )
        let lines = error.description.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { $0.hasPrefix("test.yaml: ") })
    }

    @Test func invalidYAMLIsReportedWithItsPosition() {
        let found = descriptions("probe:\n  deadline: 15s\n concurrency: [")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("test.yaml: not valid YAML: line 3") == true, "\(found)")
    }

    @Test func duplicateKeysAreReported() {
        #expect(
            descriptions("workers: 2\nworkers: 3") == [#"test.yaml: not valid YAML: line 1: duplicate key "workers""#]
        )
    }

    @Test func multipleDocumentsAreRefused() {
        let found = descriptions("workers: 2\n---\nworkers: 3\n")
        #expect(found.count == 1 && found[0].contains("but found another document"), "\(found)")
    }

    @Test func missingFileIsReported() throws {
        let path = "/nonexistent/maas-proxy.yaml"
        #expect(
            try resolveProblems(["--config", path]) == [
                "/nonexistent/maas-proxy.yaml: cannot read the file: No such file or directory"
            ]
        )
    }

    // MARK: Validation

    @Test(arguments: [
        ("probe:\n  deadline: 500ms", "test.yaml: probe.deadline: must be at least 1s, got 500ms"),
        ("probe:\n  concurrency: 0", "test.yaml: probe.concurrency: must be at least 1, got 0"),
        ("workers: 0", "test.yaml: workers: must be from 1 to 256, got 0"),
        ("workers: 257", "test.yaml: workers: must be from 1 to 256, got 257"),
        ("cache:\n  maxEntries: 0", "test.yaml: cache.maxEntries: must be at least 1, got 0"),
        ("limits:\n  maxRequestBodyBytes: 0", "test.yaml: limits.maxRequestBodyBytes: must be greater than 0, got 0"),
        ("limits:\n  maxHeaderBytes: -1", "test.yaml: limits.maxHeaderBytes: must be greater than 0, got -1"),
        ("upstream:\n  connectTimeout: 0s", "test.yaml: upstream.connectTimeout: must be greater than 0s, got 0s"),
        ("upstream:\n  responseTimeout: 0ms", "test.yaml: upstream.responseTimeout: must be greater than 0s, got 0s"),
        ("upstream:\n  idleTimeout: 0h", "test.yaml: upstream.idleTimeout: must be greater than 0s, got 0s"),
        ("limits:\n  requestReadTimeout: 0s", "test.yaml: limits.requestReadTimeout: must be greater than 0s, got 0s"),
        (
            "tls:\n  certificate: cert.pem",
            "test.yaml: tls: tls.certificate (--tls-cert) and tls.privateKey (--tls-key) go together; only tls.certificate is set"
        ),
        (
            "tls:\n  privateKey: key.pem",
            "test.yaml: tls: tls.certificate (--tls-cert) and tls.privateKey (--tls-key) go together; only tls.privateKey is set"
        ),
        (
            "tls:\n  certificate: \"\"\n  privateKey: k.pem",
            "test.yaml: tls.certificate: must not be empty (leave the key out)"
        ),
        ("upstream:\n  caBundle: \"\"", "test.yaml: upstream.caBundle: must not be empty (leave the key out)"),
        (
            "models:\n  kubernetes:\n    kubeconfig: \"\"",
            "test.yaml: models.kubernetes.kubeconfig: must not be empty (leave the key out)"
        ),
        (
            "publicURL: ftp://maas.example.com",
            #"test.yaml: publicURL: expected an absolute http or https URL like "https://maas.example.com", got "ftp://maas.example.com""#
        ),
        (
            "publicURL: maas.example.com",
            #"test.yaml: publicURL: expected an absolute http or https URL like "https://maas.example.com", got "maas.example.com""#
        ),
        (
            "kinds:\n  A: {probe: {method: \"G ET\", path: /v1/models}}",
            #"test.yaml: kinds.A.probe.method: expected an HTTP method like "GET", got "G ET""#
        ),
        (
            "kinds:\n  A: {probe: {method: \"\", path: /v1/models}}",
            #"test.yaml: kinds.A.probe.method: expected an HTTP method like "GET", got """#
        ),
        (
            "kinds:\n  A: {probe: {method: GET, path: v1/models}}",
            #"test.yaml: kinds.A.probe.path: expected a path starting with "/" (printable ASCII, no spaces), got "v1/models""#
        ),
        (
            "kinds:\n  A: {probe: {method: GET, path: \"/v1/my models\"}}",
            #"test.yaml: kinds.A.probe.path: expected a path starting with "/" (printable ASCII, no spaces), got "/v1/my models""#
        ),
        (
            "kinds:\n  llmisvc: {probe: none}",
            "test.yaml: kinds.llmisvc: the default kind (LLMInferenceService, llmisvc or empty) is built in and cannot be redefined"
        ),
        (
            "kinds:\n  LLMInferenceService: {probe: none}",
            "test.yaml: kinds.LLMInferenceService: the default kind (LLMInferenceService, llmisvc or empty) is built in and cannot be redefined"
        ),
        (
            "kinds:\n  \"\": {probe: none}",
            #"test.yaml: kinds."": the default kind (LLMInferenceService, llmisvc or empty) is built in and cannot be redefined"#
        ),
        ("listen: []", "test.yaml: listen: at least one address is required"),
        ("listen: [\"0.0.0.0:8080\", \"0.0.0.0:8080\"]", #"test.yaml: listen: "0.0.0.0:8080" is listed twice"#),
        (
            "admin:\n  listen: \"0.0.0.0:8080\"",
            #"test.yaml: admin.listen: "0.0.0.0:8080" is also in listen; the admin listener needs an address of its own"#
        ),
        (
            "models:\n  paths: []",
            "test.yaml: models: no model source: models.paths is empty and models.kubernetes.enabled is false"
        ),
        ("models:\n  paths: [\"\"]", "test.yaml: models.paths: entries must not be empty"),
        (
            "models:\n  kubernetes: {enabled: true, namespaces: [\"\"]}",
            "test.yaml: models.kubernetes.namespaces: entries must not be empty"
        ),
    ])
    func validationRules(yaml: String, description: String) {
        #expect(descriptions(yaml) == [description])
    }

    @Test(arguments: [
        "probe:\n  deadline: 1s",
        "cache: {ttl: 0s, deniedTTL: 0s, unavailableTTL: 0s}",
        "shutdownGrace: 0s",
        "workers: 256",
        "listen: [\"127.0.0.1:0\", \"127.0.0.1:0\"]\nadmin: {listen: \"127.0.0.1:0\"}",
        "models: {paths: [], kubernetes: {enabled: true}}",
        "kinds:\n  ExternalModel: {probe: {method: GET, path: /v1/models}}",
        "publicURL: http://[::1]:8080/base",
        "tls: {certificate: /missing/c.pem, privateKey: /missing/k.pem}",
    ])
    func validEdgeValues(yaml: String) {
        #expect(descriptions(yaml) == [])
    }

    @Test(
        arguments: [
            ("listen", { @Sendable (c: inout ProxyConfiguration) in c.listen = [ListenAddress(host: "", port: 80)] }),
            (
                "listen",
                { @Sendable (c: inout ProxyConfiguration) in c.listen = [ListenAddress(host: "x", port: 70000)] }
            ),
            (
                "admin.listen",
                { @Sendable (c: inout ProxyConfiguration) in c.adminListen = ListenAddress(host: "x", port: -1) }
            ),
            ("cache.deniedTTL", { @Sendable (c: inout ProxyConfiguration) in c.cache.deniedTTL = .seconds(-1) }),
            ("shutdownGrace", { @Sendable (c: inout ProxyConfiguration) in c.shutdownGrace = .milliseconds(-1) }),
            ("probe.deadline", { @Sendable (c: inout ProxyConfiguration) in c.probe.deadline = .milliseconds(999) }),
            (
                "kinds.A.probe.path",
                { @Sendable (c: inout ProxyConfiguration) in c.kinds["A"] = .http(method: "GET", path: "") }
            ),
        ] as [(String, @Sendable (inout ProxyConfiguration) -> Void)]
    )
    func validationOfValuesBuiltInCode(key: String, change: @Sendable (inout ProxyConfiguration) -> Void) {
        var configuration = ProxyConfiguration()
        change(&configuration)
        #expect(configuration.validationProblems().map(\.key) == [key])
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }

    @Test func aRuleAboutAnUnreadableKeyIsNotReported() {
        // privateKey has the wrong type, so "certificate without key" would only be noise.
        #expect(
            descriptions("tls: {certificate: c.pem, privateKey: [k.pem]}") == [
                "test.yaml: tls.privateKey: expected a PEM private key file path, got a list"
            ]
        )
    }

    @Test func unreadableFilesAreListedOnRequest() throws {
        var configuration = ProxyConfiguration()
        configuration.tls = TLSConfiguration(certificate: Self.bundledFile, privateKey: "/nonexistent/key.pem")
        configuration.upstream.caBundle = "/nonexistent/ca.pem"
        configuration.models.kubernetes.kubeconfig = "/nonexistent/kubeconfig"
        #expect(configuration.unreadableFiles().map(\.key) == ["tls.privateKey", "upstream.caBundle"])
        #expect(
            configuration.unreadableFiles().first?.description
                == #"tls.privateKey: cannot read "/nonexistent/key.pem": No such file or directory"#
        )
        configuration.models.kubernetes.enabled = true
        #expect(configuration.unreadableFiles().count == 3)
    }

    // MARK: Flags and precedence

    @Test func flagsOverrideTheFileWhichOverridesTheDefaults() throws {
        let file = """
            listen: ["127.0.0.1:1"]
            workers: 3
            probe: {deadline: 20s}
            cache: {ttl: 30s}
            log: {level: warning}
            """
        let resolved = try withFile(file) { path in
            try resolve(["--config", path, "--probe-deadline", "5s", "--listen", "127.0.0.1:2", "--listen", "[::1]:3"])
        }
        var expected = ProxyConfiguration()
        expected.listen = [ListenAddress(host: "127.0.0.1", port: 2), ListenAddress(host: "::1", port: 3)]  // flag
        expected.probe.deadline = .seconds(5)  // flag over file
        expected.workers = 3  // file
        expected.cache.ttl = .seconds(30)  // file
        expected.log.level = .warning  // file; cache.deniedTTL and the rest stay defaults
        #expect(resolved == expected)
    }

    @Test(
        arguments: [
            (
                ["--listen", "127.0.0.1:1", "--listen", "[::1]:2"],
                { @Sendable (c: ProxyConfiguration) in
                    c.listen == [ListenAddress(host: "127.0.0.1", port: 1), ListenAddress(host: "::1", port: 2)]
                }
            ),
            (["--admin-listen", "127.0.0.1:0"], { @Sendable (c: ProxyConfiguration) in c.adminListen.port == 0 }),
            (
                ["--models", "a", "--models", "b.yaml"],
                { @Sendable (c: ProxyConfiguration) in c.models.paths == ["a", "b.yaml"] }
            ),
            (["--workers", "3"], { @Sendable (c: ProxyConfiguration) in c.workers == 3 }),
            (
                ["--probe-deadline", "2.5s"],
                { @Sendable (c: ProxyConfiguration) in c.probe.deadline == .milliseconds(2500) }
            ),
            (["--cache-ttl", "5m"], { @Sendable (c: ProxyConfiguration) in c.cache.ttl == .seconds(300) }),
            (
                ["--tls-cert", "c.pem", "--tls-key", "k.pem"],
                { @Sendable (c: ProxyConfiguration) in
                    c.tls == TLSConfiguration(certificate: "c.pem", privateKey: "k.pem")
                }
            ),
            (["--ca-bundle", "ca.pem"], { @Sendable (c: ProxyConfiguration) in c.upstream.caBundle == "ca.pem" }),
            (["--log-level", "debug"], { @Sendable (c: ProxyConfiguration) in c.log.level == .debug }),
        ] as [([String], @Sendable (ProxyConfiguration) -> Bool)]
    )
    func eachFlagSetsItsKey(arguments: [String], holds: @Sendable (ProxyConfiguration) -> Bool) throws {
        #expect(holds(try resolve(arguments)))
    }

    @Test(arguments: [
        (["--probe-deadline", "x"], [#"--probe-deadline: expected a duration like "15s", got "x""#]),
        (["--probe-deadline", "500ms"], ["--probe-deadline: must be at least 1s, got 500ms"]),
        (
            ["--cache-ttl=-1s"],
            [#"--cache-ttl: expected a duration like "15s", got "-1s": a duration cannot be negative"#]
        ),
        (["--workers", "many"], [#"--workers: expected an integer, got "many""#]),
        (["--workers", "0"], ["--workers: must be from 1 to 256, got 0"]),
        (
            ["--listen", "127.0.0.1:1", "--listen", "nope"],
            [#"--listen: expected HOST:PORT like "0.0.0.0:8080" or "[::1]:8080", got "nope": the port is missing"#]
        ),
        (
            ["--admin-listen", "9090"],
            [
                #"--admin-listen: expected HOST:PORT like "0.0.0.0:8080" or "[::1]:8080", got "9090": the port is missing"#
            ]
        ),
        (
            ["--log-level", "verbose"],
            [#"--log-level: expected one of trace, debug, info, notice, warning, error, critical, got "verbose""#]
        ),
        (
            ["--tls-cert", "c.pem"],
            [
                "--tls-cert: tls.certificate (--tls-cert) and tls.privateKey (--tls-key) go together; only tls.certificate is set"
            ]
        ),
        (
            ["--admin-listen", "127.0.0.1:8080", "--listen", "127.0.0.1:8080"],
            [#"--admin-listen: "127.0.0.1:8080" is also in listen; the admin listener needs an address of its own"#]
        ),
        (["--models", ""], ["--models: entries must not be empty"]),
        (
            ["--workers", "x", "--probe-deadline", "y"],
            [
                #"--workers: expected an integer, got "x""#,
                #"--probe-deadline: expected a duration like "15s", got "y""#,
            ]
        ),
    ])
    func flagProblemsNameTheFlag(arguments: [String], expected: [String]) throws {
        #expect(try resolveProblems(arguments) == expected)
    }

    @Test func fileAndFlagProblemsAreReportedTogether() throws {
        let found = try withFile("workers: 0\nprobe: {dealine: 5s}\n") { path in
            try resolveProblems(["--config", path, "--cache-ttl", "soon"]).map {
                $0.replacingOccurrences(of: path, with: "FILE")
            }
        }
        #expect(
            found == [
                #"FILE: unknown key "probe.dealine" (did you mean "probe.deadline"?)"#,
                #"--cache-ttl: expected a duration like "15s", got "soon""#,
                "FILE: workers: must be from 1 to 256, got 0",
            ]
        )
    }

    @Test func aFlagFixesAFileValue() throws {
        let resolved = try withFile("probe: {deadline: 500ms}\n") { path in
            try resolve(["--config", path, "--probe-deadline", "1s"])
        }
        #expect(resolved.probe.deadline == .seconds(1))
    }

    @Test func helpNamesTheContractFlags() {
        let help = ConfigurationOptions.helpMessage()
        for flag in [
            "--config", "--listen", "--admin-listen", "--models", "--workers", "--probe-deadline", "--cache-ttl",
            "--tls-cert", "--tls-key", "--ca-bundle", "--log-level",
        ] {
            #expect(help.contains(flag), "\(flag) missing from help")
        }
    }
}
