import Routing
import Yams

/// Walks the node tree of one configuration file onto a `ConfigurationDraft` (SPEC 6).
///
/// Each mapping is matched against a table of its keys, so an unknown key is reported with its
/// full dotted name (and the nearest known key). A value of the wrong type is reported and left
/// out, and the walk goes on: one run reports every problem in the file. Used once, by one thread.
///
/// Types: durations and addresses are strings; sizes and counts are plain (unquoted) decimal
/// integers; booleans are plain `true`/`false` (also `True`, `TRUE`, …), never `yes`/`on`; a key
/// that takes a path, URL or name accepts any scalar as written. A null section (`probe:` with
/// every key commented out) is an empty one; a null value elsewhere is an error, except for the
/// optional keys (`publicURL`, `tls.*`, `upstream.caBundle`, `models.kubernetes.kubeconfig`,
/// `usage.credentialIdKeyFile`),
/// where it means "not set".
final class ConfigurationFileReader {
    /// Reads the value of one key, given with its dotted name.
    private typealias Reader = (Node, String) -> Void

    private let path: String
    private(set) var draft: ConfigurationDraft

    init(path: String, draft: ConfigurationDraft) {
        self.path = path
        self.draft = draft
    }

    /// Applies a document's root node.
    func read(_ root: Node) {
        if Self.isNull(root) { return }
        guard case .mapping = root else {
            report("", "expected a mapping of configuration keys at the top level, got \(Self.describe(root))")
            return
        }
        section(schema)(root, "")
    }

    // SPEC 6's key table. Adding a key: one line here, one property, one line in config/maas-proxy.yaml.
    private var schema: [String: Reader] {
        [
            "listen": list(\.listen) { self.parsed($0, $1, ListenAddress.expectation, ListenAddress.init(parsing:)) },
            "admin": section([
                "listen": scalar(\.adminListen, ListenAddress.expectation, ListenAddress.init(parsing:))
            ]),
            "publicURL": optionalString(\.publicURL, "an absolute URL like \"https://maas.example.com\""),
            "workers": integer(\.workers),
            "models": section([
                "paths": list(\.models.paths) { self.text($0, $1, "a file or directory path") },
                "maxFileBytes": integer(\.models.maxFileBytes, "a number of bytes like 8388608"),
                "maxModels": integer(\.models.maxModels),
                "kubernetes": section([
                    "enabled": boolean(\.models.kubernetes.enabled),
                    "namespaces": list(\.models.kubernetes.namespaces) { self.text($0, $1, "a namespace name") },
                    "kubeconfig": optionalString(\.models.kubernetes.kubeconfig, "a kubeconfig file path"),
                ]),
            ]),
            "kinds": readKinds,
            "probe": section([
                "deadline": duration(\.probe.deadline),
                "concurrency": integer(\.probe.concurrency),
            ]),
            "cache": section([
                "ttl": duration(\.cache.ttl),
                "deniedTTL": duration(\.cache.deniedTTL),
                "unavailableTTL": duration(\.cache.unavailableTTL),
                "maxEntries": integer(\.cache.maxEntries),
            ]),
            "tls": section([
                "certificate": optionalString(\.tls.certificate, "a PEM certificate file path"),
                "privateKey": optionalString(\.tls.privateKey, "a PEM private key file path"),
            ]),
            "upstream": section([
                "caBundle": optionalString(\.upstream.caBundle, "a PEM CA bundle file path"),
                "httpsOnly": boolean(\.upstream.httpsOnly),
                "insecureSkipVerify": boolean(\.upstream.insecureSkipVerify),
                "connectTimeout": duration(\.upstream.connectTimeout),
                "responseTimeout": duration(\.upstream.responseTimeout),
                "idleTimeout": duration(\.upstream.idleTimeout),
            ]),
            "limits": section([
                "maxRequestBodyBytes": integer(\.limits.maxRequestBodyBytes, "a number of bytes like 16777216"),
                "maxHeaderBytes": integer(\.limits.maxHeaderBytes, "a number of bytes like 65536"),
                "requestReadTimeout": duration(\.limits.requestReadTimeout),
            ]),
            "listing": section([
                "url": scalar(\.listing.url, ListingConfiguration.urlExpectation, ListingConfiguration.urlSource)
            ]),
            "usage": section([
                "enabled": boolean(\.usage.enabled),
                "forceStreamUsage": boolean(\.usage.forceStreamUsage),
                "credentialIdKeyFile": optionalString(\.usage.credentialIdKeyFile, "a key file path"),
            ]),
            "log": section([
                "level": scalar(\.log.level, ScalarParser.logLevelExpectation, ScalarParser.logLevel)
            ]),
            "metrics": section([
                "enabled": boolean(\.metrics.enabled)
            ]),
            "shutdownGrace": duration(\.shutdownGrace),
        ]
    }

    // MARK: Structure

    /// A mapping whose keys are read by `readers`; any other key is reported as unknown.
    private func section(_ readers: [String: Reader]) -> Reader {
        { node, key in
            // Every key commented out leaves `section:` with a null value: keep the defaults.
            if Self.isNull(node) { return }
            guard case .mapping(let mapping) = node else {
                let keys = readers.keys.sorted().joined(separator: ", ")
                self.report(key, "expected a mapping with keys \(keys), got \(Self.describe(node))")
                return
            }
            for (keyNode, value) in mapping {
                let name = keyNode.scalar?.string ?? Self.describe(keyNode)
                let dotted = key.isEmpty ? name : "\(key).\(name)"
                guard keyNode.scalar != nil, let reader = readers[name] else {
                    let suggestion = Self.nearest(to: name, among: readers.keys).map {
                        key.isEmpty ? $0 : "\(key).\($0)"
                    }
                    self.draft.report(
                        ConfigurationProblem(
                            source: .file(self.path),
                            key: dotted,
                            reason: .unknownKey(suggestion: suggestion)
                        )
                    )
                    continue
                }
                reader(value, dotted)
            }
        }
    }

    /// A list whose items are all read by `item`; applied only when every item is valid.
    private func list<Item>(
        _ keyPath: WritableKeyPath<ProxyConfiguration, [Item]>,
        _ item: @escaping (Node, String) -> Item?
    ) -> Reader {
        { node, key in
            guard case .sequence(let sequence) = node else {
                self.report(key, "expected a list, got \(Self.describe(node))")
                return
            }
            let items = sequence.enumerated().map { index, element in item(element, "\(key)[\(index)]") }
            guard items.allSatisfy({ $0 != nil }) else { return }
            self.set(keyPath, items.compactMap { $0 }, key)
        }
    }

    /// `kinds: {<name>: {probe: none | {method: GET, path: /v1/models}}}` (SPEC 2). Names are merged
    /// into the kinds already configured; the rules on names, methods and paths are in validation.
    private func readKinds(_ node: Node, _ key: String) {
        if Self.isNull(node) { return }
        guard case .mapping(let mapping) = node else {
            report(key, "expected a mapping of kind names to {probe: ...}, got \(Self.describe(node))")
            return
        }
        for (nameNode, value) in mapping {
            guard let name = nameNode.scalar?.string else {
                report(key, "expected kind names, got \(Self.describe(nameNode))")
                continue
            }
            let kindKey = ProxyConfiguration.kindKey(name)
            guard Self.isNull(value) || value.mapping != nil else {
                report(kindKey, "expected a mapping like {probe: none}, got \(Self.describe(value))")
                continue
            }
            var probe: ProbeSpec?
            var sawProbe = false
            section([
                "probe": { node, key in
                    sawProbe = true
                    probe = self.readProbe(node, key)
                }
            ])(value, kindKey)
            if let probe {
                set(\.kinds[name], probe, "\(kindKey).probe")
            } else if !sawProbe {
                report("\(kindKey).probe", "missing: expected none or {method, path}")
            }
        }
    }

    private func readProbe(_ node: Node, _ key: String) -> ProbeSpec? {
        let expected = "none or a mapping {method, path}"
        if case .scalar(let scalar) = node, !Self.isNull(node), scalar.string == "none" { return ProbeSpec.none }
        guard case .mapping = node else {
            report(key, "expected \(expected), got \(Self.describe(node))")
            return nil
        }
        var method: String?
        var path: String?
        section([
            "method": { method = self.text($0, $1, "an HTTP method like \"GET\"") },
            "path": { path = self.text($0, $1, "a path like \"/v1/models\"") },
        ])(node, key)
        if method == nil, node.mapping?["method"] == nil {
            report("\(key).method", "missing: expected \"GET\" or another method")
        }
        if path == nil, node.mapping?["path"] == nil {
            report("\(key).path", "missing: expected a path like \"/v1/models\"")
        }
        guard let method, let path else { return nil }
        return .http(method: method, path: path)
    }

    // MARK: Values

    private func scalar<Value>(
        _ keyPath: WritableKeyPath<ProxyConfiguration, Value>,
        _ expected: String,
        _ parse: @escaping (String) throws(ConfigurationValueError) -> Value
    ) -> Reader {
        { node, key in
            if let value = self.parsed(node, key, expected, parse) { self.set(keyPath, value, key) }
        }
    }

    private func duration(_ keyPath: WritableKeyPath<ProxyConfiguration, Duration>) -> Reader {
        scalar(keyPath, DurationParser.expectation, DurationParser.parse)
    }

    /// A path, URL or name that may be left unset: null means nil.
    private func optionalString(_ keyPath: WritableKeyPath<ProxyConfiguration, String?>, _ expected: String) -> Reader {
        { node, key in
            if Self.isNull(node) {
                self.set(keyPath, nil, key)
            } else if let text = self.text(node, key, expected) {
                self.set(keyPath, text, key)
            }
        }
    }

    private func integer(
        _ keyPath: WritableKeyPath<ProxyConfiguration, Int>,
        _ expected: String = "an integer"
    ) -> Reader {
        { node, key in
            guard let text = self.text(node, key, expected) else { return }
            do throws(ConfigurationValueError) {
                let value = try ScalarParser.integer(text, expected: expected)
                guard Self.isPlain(node) else {
                    self.report(key, "expected \(expected), got \(Self.describe(node)): remove the quotes")
                    return
                }
                self.set(keyPath, value, key)
            } catch {
                self.report(key, error.message)
            }
        }
    }

    // YAML 1.2's booleans; YAML 1.1's yes/no/on/off are refused because they surprise people.
    private static let booleans: [String: Bool] = [
        "true": true, "True": true, "TRUE": true, "false": false, "False": false, "FALSE": false,
    ]

    private func boolean(_ keyPath: WritableKeyPath<ProxyConfiguration, Bool>) -> Reader {
        { node, key in
            guard let text = self.text(node, key, "true or false") else { return }
            guard let value = Self.booleans[text] else {
                self.report(key, "expected true or false, got \(Self.describe(node))")
                return
            }
            guard Self.isPlain(node) else {
                self.report(key, "expected true or false, got \(Self.describe(node)): remove the quotes")
                return
            }
            self.set(keyPath, value, key)
        }
    }

    /// The scalar's text parsed by `parse`; nil (reported) when it is not a scalar or is refused.
    private func parsed<Value>(
        _ node: Node,
        _ key: String,
        _ expected: String,
        _ parse: (String) throws(ConfigurationValueError) -> Value
    ) -> Value? {
        guard let text = text(node, key, expected) else { return nil }
        do throws(ConfigurationValueError) {
            return try parse(text)
        } catch {
            report(key, error.message)
            return nil
        }
    }

    /// The text of a non-null scalar, as written; nil (reported) otherwise.
    private func text(_ node: Node, _ key: String, _ expected: String) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            report(key, "expected \(expected), got \(Self.describe(node))")
            return nil
        }
        return scalar.string
    }

    private func set<Value>(_ keyPath: WritableKeyPath<ProxyConfiguration, Value>, _ value: Value, _ key: String) {
        draft.set(keyPath, to: value, key: key, from: .file(path))
    }

    private func report(_ key: String, _ message: String) {
        draft.report(.invalid(key, message, source: .file(path)))
    }

    // MARK: Helpers

    private static func isPlain(_ node: Node) -> Bool {
        node.scalar?.style == .plain
    }

    /// A plain `~`, `null`, `Null`, `NULL` or nothing at all.
    private static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// How a value is shown after "got": the scalar quoted as written, or what kind of node it is.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return scalar.string.isEmpty ? "nothing" : "null" }
            return ConfigurationValueError.quoted(scalar.string)
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The known key `name` most likely misspells: same letters in another case, or at most two
    /// edits away (and fewer than half its length, so short keys do not match everything).
    static func nearest(to name: String, among candidates: some Collection<String>) -> String? {
        if let match = candidates.first(where: { $0.lowercased() == name.lowercased() }) { return match }
        let limit = min(2, (name.count - 1) / 2)
        let scored = candidates.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= limit }
        return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    /// Levenshtein distance.
    private static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
