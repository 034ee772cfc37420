import Foundation
import Testing

@testable import MaaSProxy

/// The configuration reference (`docs/configuration.md`), `config/maas-proxy.yaml` and the loader name the same keys.
@Suite struct ConfigReferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Keys of the table under "Keys" in docs/configuration.md (first cell; `a`, `b` cells split).
    static func referenceKeys() throws -> Set<String> {
        let reference = try String(
            contentsOf: root.appendingPathComponent("docs/configuration.md"),
            encoding: .utf8
        )
        let section = reference.components(separatedBy: "\n## Keys\n")[1].components(separatedBy: "\n## ")[0]
        var keys: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.split(separator: "|")[0]
            for match in cell.matches(of: /`([A-Za-z.<>]+)`/) { keys.insert(String(match.1)) }
        }
        return keys
    }

    /// Dotted keys of the sample file, commented-out ones included (`# workers: 4`); list items and
    /// the examples under `kinds:` are not keys.
    static func sampleFileKeys() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("config/maas-proxy.yaml"), encoding: .utf8)
        var keys: Set<String> = []
        var stack: [(indent: Int, name: String)] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = Substring(raw)
            let indent = line.prefix { $0 == " " }.count
            line = line.dropFirst(indent)
            if line.hasPrefix("# ") {
                // A commented-out key is `# key: value` in lowerCamelCase; prose and the kind examples
                // (`#   InferenceService:`) start with a capital or more spaces.
                line = line.dropFirst(2)
                guard line.firstMatch(of: #/^[a-z][A-Za-z]*: /#) != nil else { continue }
            }
            guard let match = line.firstMatch(of: /^([A-Za-z]+):( |$)/) else { continue }
            while let last = stack.last, last.indent >= indent { stack.removeLast() }
            if stack.first?.name == "kinds" { continue }
            let name = String(match.1)
            keys.insert((stack.map(\.name) + [name]).joined(separator: "."))
            stack.append((indent, name))
        }
        // Sections are not keys of their own.
        return keys.filter { key in !keys.contains { $0.hasPrefix(key + ".") } }
    }

    @Test func referenceAndSampleFileListTheSameKeys() throws {
        var reference = try Self.referenceKeys()
        reference.remove("kinds.<name>.probe")
        reference.insert("kinds")
        let sample = try Self.sampleFileKeys()
        #expect(
            reference.subtracting(sample).isEmpty,
            "only in docs/configuration.md: \(reference.subtracting(sample).sorted())"
        )
        #expect(
            sample.subtracting(reference).isEmpty,
            "only in the sample file: \(sample.subtracting(reference).sorted())"
        )
    }

    @Test func everyDocumentedKeyIsKnownToTheLoader() throws {
        for key in try Self.referenceKeys() where !key.contains("<") {
            let parts = key.split(separator: ".")
            var yaml = ""
            for (depth, part) in parts.enumerated() {
                yaml +=
                    String(repeating: "  ", count: depth) + part + ":" + (depth == parts.count - 1 ? " null" : "")
                    + "\n"
            }
            var draft = ConfigurationDraft()
            ConfigurationLoader.apply(yaml: yaml, file: "probe.yaml", to: &draft)
            let unknown = draft.problems.filter {
                if case .unknownKey = $0.reason { return true }
                return false
            }
            #expect(unknown.isEmpty, "\(key): \(unknown)")
        }
        var draft = ConfigurationDraft()
        ConfigurationLoader.apply(yaml: "cache:\n  tll: 5s\n", file: "probe.yaml", to: &draft)
        #expect(draft.problems.contains { if case .unknownKey = $0.reason { true } else { false } })
    }
}

extension ConfigReferenceTests {
    /// The `--flag`s in the first cells of the table rows of `section` of the page at `path`.
    static func documentedFlags(in path: String, section heading: String) throws -> Set<String> {
        let page = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        let section = page.components(separatedBy: "\n\(heading)\n")[1].components(separatedBy: "\n## ")[0]
        var flags: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|")
            // The README's flag table has the flag first; the reference has it after the key.
            let cell = path == "README.md" ? cells[0] : cells[1]
            for match in cell.matches(of: /`(--[a-z-]+)/) { flags.insert(String(match.1)) }
        }
        return flags
    }

    @Test func theDocumentedFlagsAreTheOptions() throws {
        var options: Set<String> = []
        for match in ConfigurationOptions.helpMessage(columns: 10_000).matches(of: /(--[a-z][a-z-]*)/) {
            options.insert(String(match.1))
        }
        options.remove("--help")
        let readme = try Self.documentedFlags(in: "README.md", section: "## CLI")
        #expect(readme == options, "README: \(readme.sorted()), options: \(options.sorted())")
        var reference = try Self.documentedFlags(in: "docs/configuration.md", section: "## Keys")
        reference.insert("--config")
        #expect(reference == options, "docs/configuration.md: \(reference.sorted()), options: \(options.sorted())")
    }

    @Test func theEffectiveConfigurationReadsBackToItself() throws {
        var configuration = ProxyConfiguration()
        configuration.listen = [try ListenAddress(parsing: "[::1]:8443"), try ListenAddress(parsing: "127.0.0.1:0")]
        configuration.publicURL = "https://maas.example.com"
        configuration.workers = 3
        configuration.models.paths = ["a dir/with \"quotes\"", "b.yaml"]
        configuration.kinds = ["HostedModel": .none, "InferenceService": .http(method: "HEAD", path: "/health")]
        configuration.probe.deadline = .milliseconds(1_500)
        configuration.cache.ttl = .seconds(90)
        configuration.upstream.httpsOnly = true
        configuration.log.level = .debug
        configuration.shutdownGrace = .zero
        let reread = try ConfigurationLoader.load(file: try Self.write(configuration.effectiveYAML))
        #expect(reread == configuration)
        #expect(
            try ConfigurationLoader.load(file: try Self.write(ProxyConfiguration().effectiveYAML))
                == ProxyConfiguration()
        )
    }

    static func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("effective-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
