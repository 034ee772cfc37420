import AccessCheck
import Routing

extension ProxyConfiguration {
    /// The spellings of the default kind (SPEC 2): one kind, so no spelling may be redefined alone.
    static let defaultKindNames: Set<String> = ["", "llmisvc", "LLMInferenceService"]

    /// `kinds.<name>`, with an empty name shown as `kinds.""`.
    static func kindKey(_ name: String) -> String {
        name.isEmpty ? "kinds.\"\"" : "kinds.\(name)"
    }

    /// Throws every rule this configuration breaks; problems name keys, not sources.
    func validate() throws(ConfigurationError) {
        let problems = validationProblems()
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
    }

    /// The configured public URL, parsed; nil when none is set or it does not parse (a validation problem).
    var publicEndpoint: EndpointURL? { publicURL.flatMap { EndpointURL(parsing: $0) } }

    /// The `url` listing entries carry (`listing.url`, SPEC 3.3).
    var listingURL: ListingURL {
        switch listing.url {
        case .endpoint: return .endpoint
        case .proxy: return publicURL.map { .proxy(publicURL: $0) } ?? .endpoint
        }
    }

    /// The rules of SPEC 6 that hold across a whole configuration, however it was assembled.
    ///
    /// File existence is not checked here: the certificate, key and CA bundle are read when the
    /// listeners and the upstream TLS context are built, and the manifests by the catalog, each
    /// reporting its own errors; `unreadableFiles()` is there for `check-config`.
    func validationProblems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        func check(_ holds: Bool, _ key: String, _ message: @autoclosure () -> String) {
            if !holds { problems.append(.invalid(key, message())) }
        }
        func checkPath(_ path: String?, _ key: String, _ message: String = "must not be empty (leave the key out)") {
            check(path.map { !$0.isEmpty } ?? true, key, message)
        }

        // Listeners.
        check(!listen.isEmpty, "listen", "at least one address is required")
        // `ListenAddress(parsing:)` already refuses these; a value built in code may not have used it.
        for (key, address) in listen.map({ ("listen", $0) }) + [("admin.listen", adminListen)] {
            check(!address.host.isEmpty, key, "the host of \"\(address)\" is empty")
            check(ListenAddress.validPorts.contains(address.port), key, "the port of \"\(address)\" is not in 0–65535")
        }
        // Port 0 is a fresh ephemeral port each time, so only fixed ports can collide.
        var seen: Set<ListenAddress> = []
        for address in listen where address.port != 0 {
            check(seen.insert(address).inserted, "listen", "\"\(address)\" is listed twice")
        }
        check(
            adminListen.port == 0 || !listen.contains(adminListen),
            "admin.listen",
            "\"\(adminListen)\" is also in listen; the admin listener needs an address of its own"
        )

        if let publicURL {
            check(
                publicEndpoint != nil,
                "publicURL",
                "expected an absolute http or https URL like \"https://maas.example.com\", got "
                    + ConfigurationValueError.quoted(publicURL)
            )
        }
        checkPath(usage.credentialIdKeyFile, "usage.credentialIdKeyFile")
        check(
            listing.url != .proxy || publicURL != nil,
            "listing.url",
            "proxy lists each model at publicURL + its route prefix, but publicURL is not set"
        )
        check(
            Self.workerRange.contains(workers),
            "workers",
            "must be from \(Self.workerRange.lowerBound) to \(Self.workerRange.upperBound), got \(workers)"
        )

        // Model sources.
        for path in models.paths { checkPath(path, "models.paths", "entries must not be empty") }
        for namespace in models.kubernetes.namespaces {
            checkPath(namespace, "models.kubernetes.namespaces", "entries must not be empty")
        }
        checkPath(models.kubernetes.kubeconfig, "models.kubernetes.kubeconfig")
        check(models.maxFileBytes > 0, "models.maxFileBytes", "must be greater than 0, got \(models.maxFileBytes)")
        check(models.maxModels >= 1, "models.maxModels", "must be at least 1, got \(models.maxModels)")
        check(
            !models.paths.isEmpty || models.kubernetes.enabled,
            "models",
            "no model source: models.paths is empty and models.kubernetes.enabled is false"
        )

        for (name, probe) in kinds.sorted(by: { $0.key < $1.key }) {
            check(
                !Self.defaultKindNames.contains(name),
                Self.kindKey(name),
                "the default kind (LLMInferenceService, llmisvc or empty) is built in and cannot be redefined"
            )
            if case .http(let method, let path) = probe {
                check(
                    Self.isToken(method),
                    Self.kindKey(name) + ".probe.method",
                    "expected an HTTP method like \"GET\", got \(ConfigurationValueError.quoted(method))"
                )
                check(
                    path.hasPrefix("/") && path.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F },
                    Self.kindKey(name) + ".probe.path",
                    "expected a path starting with \"/\" (printable ASCII, no spaces), got "
                        + ConfigurationValueError.quoted(path)
                )
            }
        }

        check(
            probe.deadline >= ProbeConfiguration.minimumDeadline,
            "probe.deadline",
            "must be at least 1s, got \(DurationParser.format(probe.deadline))"
        )
        check(probe.concurrency >= 1, "probe.concurrency", "must be at least 1, got \(probe.concurrency)")

        // A zero TTL is allowed: that outcome is then never reused (single flight still applies).
        for (key, ttl) in [
            ("cache.ttl", cache.ttl), ("cache.deniedTTL", cache.deniedTTL),
            ("cache.unavailableTTL", cache.unavailableTTL),
        ] {
            check(ttl >= .zero, key, "must not be negative, got \(DurationParser.format(ttl))")
        }
        check(cache.maxEntries >= 1, "cache.maxEntries", "must be at least 1, got \(cache.maxEntries)")

        checkPath(tls.certificate, "tls.certificate")
        checkPath(tls.privateKey, "tls.privateKey")
        if (tls.certificate == nil) != (tls.privateKey == nil) {
            let given = tls.certificate == nil ? "tls.privateKey" : "tls.certificate"
            problems.append(
                .invalid(
                    "tls",
                    "tls.certificate (--tls-cert) and tls.privateKey (--tls-key) go together; only \(given) is set"
                )
            )
        }

        checkPath(upstream.caBundle, "upstream.caBundle")
        for (key, timeout) in [
            ("upstream.connectTimeout", upstream.connectTimeout),
            ("upstream.responseTimeout", upstream.responseTimeout),
            ("upstream.idleTimeout", upstream.idleTimeout),
            ("limits.requestReadTimeout", limits.requestReadTimeout),
        ] {
            check(timeout > .zero, key, "must be greater than 0s, got \(DurationParser.format(timeout))")
        }

        for (key, size) in [
            ("limits.maxRequestBodyBytes", limits.maxRequestBodyBytes),
            ("limits.maxHeaderBytes", limits.maxHeaderBytes),
        ] {
            check(size > 0, key, "must be greater than 0, got \(size)")
        }

        check(
            shutdownGrace >= .zero,
            "shutdownGrace",
            "must not be negative, got \(DurationParser.format(shutdownGrace))"
        )
        return problems
    }

    /// RFC 9110 `token`: what an HTTP method must be.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default:
                    return "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }
}
