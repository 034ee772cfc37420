import Foundation
import Logging
import Routing
import Testing

@testable import MaaSProxy

@Suite(.serialized)
struct CatalogTests {
    static func model(_ name: String, namespace: String = "ns", endpoint: String = "http://127.0.0.1:1/x") -> String {
        """
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata: {name: \(name), namespace: \(namespace)}
        spec: {modelRef: {kind: LLMInferenceService, name: \(name)}}
        status: {phase: Ready, endpoint: "\(endpoint)"}
        """
    }

    struct Fixture {
        let directory: URL
        let store: CatalogStore
        let source: FileCatalogSource

        func names() -> [String] { store.snapshot.models.map(\.id.description) }

        func write(_ name: String, _ text: String) throws {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    static func fixture(files: [String: String], pollInterval: Duration = .milliseconds(100)) throws -> Fixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let logger = Logger(label: "test")
        let store = CatalogStore(kinds: .builtIn, sources: [FileCatalogSource.sourceName], logger: logger)
        let source = FileCatalogSource(
            paths: [directory.path],
            store: store,
            logger: logger,
            pollInterval: pollInterval
        )
        return Fixture(directory: directory, store: store, source: source)
    }

    static func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }

    @Test func loadsEveryManifestAndBecomesReady() throws {
        let fixture = try Self.fixture(files: [
            "a.yaml": Self.model("a"), "nested.yml": Self.model("b") + "\n---\n" + Self.model("c", namespace: "other"),
            "ignored.txt": Self.model("ignored"),
        ])
        defer { fixture.source.stop() }
        #expect(!fixture.store.isLoaded)
        try fixture.source.start()
        #expect(fixture.store.isLoaded)
        #expect(fixture.names() == ["ns/a", "ns/b", "other/c"])
    }

    @Test func changesAreSeenByPollingAndBrokenFilesKeepTheirLastGoodContents() throws {
        let fixture = try Self.fixture(files: ["a.yaml": Self.model("a")])
        defer { fixture.source.stop() }
        try fixture.source.start()
        try fixture.write("b.yaml", Self.model("b"))
        #expect(Self.waitUntil { fixture.names() == ["ns/a", "ns/b"] })

        let generation = fixture.store.snapshot.generation
        try fixture.write("a.yaml", "kind: [unterminated")
        #expect(Self.waitUntil { fixture.store.reloadErrors == 1 })
        #expect(fixture.names() == ["ns/a", "ns/b"])
        #expect(fixture.store.snapshot.generation >= generation)

        try fixture.write("a.yaml", Self.model("a2"))
        #expect(Self.waitUntil { fixture.names() == ["ns/a2", "ns/b"] })

        try FileManager.default.removeItem(at: fixture.directory.appendingPathComponent("b.yaml"))
        #expect(Self.waitUntil { fixture.names() == ["ns/a2"] })
    }

    @Test func reloadRescansImmediately() throws {
        let fixture = try Self.fixture(files: ["a.yaml": Self.model("a")], pollInterval: .seconds(3600))
        defer { fixture.source.stop() }
        try fixture.source.start()
        try fixture.write("b.yaml", Self.model("b"))
        #expect(fixture.names() == ["ns/a"])
        fixture.source.reload()
        #expect(fixture.names() == ["ns/a", "ns/b"])
    }

    @Test func aMissingPathIsAStartUpError() throws {
        let store = CatalogStore(kinds: .builtIn, sources: ["files"], logger: Logger(label: "test"))
        let source = FileCatalogSource(paths: ["/nonexistent/models"], store: store, logger: Logger(label: "test"))
        #expect(throws: CatalogSourceError.self) { try source.start() }
    }

    @Test func theFirstFileWinsWhenTwoDefineTheSameModel() throws {
        let fixture = try Self.fixture(files: [
            "1.yaml": Self.model("dup", endpoint: "http://127.0.0.1:1/first"),
            "2.yaml": Self.model("dup", endpoint: "http://127.0.0.1:1/second"),
        ])
        defer { fixture.source.stop() }
        try fixture.source.start()
        #expect(fixture.store.snapshot.models.map(\.endpoint) == ["http://127.0.0.1:1/first"])
    }

    @Test func higherPrioritySourcesWin() {
        let store = CatalogStore(kinds: .builtIn, sources: ["files", "kubernetes"], logger: Logger(label: "test"))
        let fromFile = MaaSModel(namespace: "ns", name: "m", modelRef: ModelRef(name: "m"), endpoint: "http://file")
        let fromCluster = MaaSModel(
            namespace: "ns",
            name: "m",
            modelRef: ModelRef(name: "m"),
            endpoint: "http://cluster"
        )
        store.publish(source: "kubernetes", priority: 1, models: [fromCluster])
        #expect(!store.isLoaded)
        store.publish(source: "files", priority: 0, models: [fromFile])
        #expect(store.isLoaded)
        #expect(store.snapshot.models.map(\.endpoint) == ["http://cluster"])
    }

    @Test func theBundledDemoCatalogLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let report = CatalogCheck.run(paths: [root.appendingPathComponent("config/models").path])
        #expect(report.problems.isEmpty)
        #expect(report.models.count >= 4)
    }
}
