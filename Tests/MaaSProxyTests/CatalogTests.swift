import Foundation
import Logging
import Routing
import Synchronization
import Testing

@testable import MaaSProxy

@Suite struct CatalogTests {
    static func model(
        _ name: String,
        namespace: String = "ns",
        endpoint: String = "http://127.0.0.1:1/x",
        phase: String = "Ready"
    ) -> String {
        """
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata: {name: \(name), namespace: \(namespace)}
        spec: {modelRef: {kind: LLMInferenceService, name: \(name)}}
        status: {phase: \(phase), endpoint: "\(endpoint)"}
        """
    }

    /// A temporary directory of manifests, a store with one file source, and the captured log.
    final class Fixture {
        let directory: URL
        let log = LogSink.capturing()
        let store: CatalogStore
        let source: FileCatalogSource

        init(
            files: [String: String] = [:],
            paths: [String]? = nil,
            pollInterval: Duration = .milliseconds(100)
        ) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let logger = Logger(label: "test") { [log] _ in JSONLogHandler(level: .trace, sink: log) }
            store = CatalogStore(kinds: .builtIn, sources: [FileCatalogSource.sourceName], logger: logger)
            source = FileCatalogSource(
                paths: paths ?? [directory.path],
                store: store,
                logger: logger,
                pollInterval: pollInterval
            )
            for (name, text) in files { try write(name, text) }
        }

        deinit {
            source.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        func names() -> [String] { store.snapshot.models.map(\.id.description) }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        /// Writes atomically (a new inode), creating parent directories.
        func write(_ name: String, _ text: String) throws {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try text.write(to: url, atomically: true, encoding: .utf8)
        }

        func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: path(name)) }

        /// The captured log lines as JSON objects.
        func logLines() -> [[String: Any]] {
            log.captured.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        func logLines(message: String) -> [[String: Any]] { logLines().filter { $0["msg"] as? String == message } }
    }

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Polls `condition` until it holds or `timeout` passes; never sleeps longer than needed.
    static func eventually(within timeout: Duration = .seconds(2), _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    /// Lets the poller run a few times (for checks that something does *not* happen).
    static func letThePollerRun() { Thread.sleep(forTimeInterval: 0.35) }

    @Test func theInitialLoadReadsEveryManifestUnderTheDirectory() throws {
        let fixture = try Fixture(files: [
            "a.yaml": Self.model("a"),
            "sub/deeper/b.yml": Self.model("b") + "\n---\n" + Self.model("c", namespace: "other"),
            "d.JSON": #"{"apiVersion":"maas.opendatahub.io/v1alpha1","kind":"MaaSModel","#
                + #""metadata":{"name":"d","namespace":"ns"},"spec":{"modelRef":{"name":"d"}}}"#,
            "notes.txt": Self.model("ignored-txt"),
            ".hidden.yaml": Self.model("ignored-hidden"),
            ".git/x.yaml": Self.model("ignored-hidden-dir"),
        ])
        #expect(!fixture.store.isLoaded)
        #expect(fixture.store.generation == 0)
        try fixture.source.start()
        #expect(fixture.store.isLoaded)
        #expect(fixture.store.pendingSources.isEmpty)
        #expect(fixture.names() == ["ns/a", "ns/b", "ns/d", "other/c"])
        #expect(fixture.store.generation == 1)
        #expect(fixture.store.reloadErrors == 0)
    }

    @Test func aNewFileIsPickedUpByPollingWithinTwoSeconds() throws {
        // The production interval: SPEC 1 wants changes live within 2 s.
        let fixture = try Fixture(files: ["a.yaml": Self.model("a")], pollInterval: .seconds(1))
        try fixture.source.start()
        try fixture.write("b.yaml", Self.model("b"))
        #expect(Self.eventually(within: .seconds(2)) { fixture.names() == ["ns/a", "ns/b"] })
    }

    @Test func aModifiedFileReplacesItsModels() throws {
        let fixture = try Fixture(files: ["a.yaml": Self.model("a", phase: "Pending")])
        try fixture.source.start()
        #expect(fixture.store.modelsByPhase == ["Pending": 1])
        try fixture.write("a.yaml", Self.model("a", phase: "Ready") + "\n---\n" + Self.model("a2"))
        #expect(Self.eventually { fixture.names() == ["ns/a", "ns/a2"] })
        #expect(fixture.store.modelsByPhase == ["Ready": 2])
    }

    @Test func aBrokenFileKeepsItsLastGoodContentsAndCountsOneErrorPerChange() throws {
        let fixture = try Fixture(files: ["a.yaml": Self.model("a"), "b.yaml": Self.model("b")])
        try fixture.source.start()
        let generation = fixture.store.generation

        try fixture.write("a.yaml", "kind: [unterminated")
        #expect(Self.eventually { fixture.store.reloadErrors == 1 })
        #expect(fixture.names() == ["ns/a", "ns/b"])
        #expect(fixture.store.generation == generation)  // nothing changed, nothing published
        let error = try #require(fixture.logLines(message: "manifest not loaded; keeping its last good contents").first)
        #expect(error["level"] as? String == "error")
        #expect(error["file"] as? String == fixture.path("a.yaml"))
        #expect((error["error"] as? String)?.contains("a.yaml") == true)

        // Neither more polls nor a SIGHUP count the same broken contents again.
        Self.letThePollerRun()
        fixture.source.reload()
        #expect(fixture.store.reloadErrors == 1)

        try fixture.write("a.yaml", "- still: [broken")
        #expect(Self.eventually { fixture.store.reloadErrors == 2 })
        #expect(fixture.names() == ["ns/a", "ns/b"])

        try fixture.write("a.yaml", Self.model("fixed"))
        #expect(Self.eventually { fixture.names() == ["ns/b", "ns/fixed"] })
        #expect(fixture.store.reloadErrors == 2)
    }

    @Test func aFileThatNeverParsedContributesNothing() throws {
        let fixture = try Fixture(files: ["bad.yaml": "{", "good.yaml": Self.model("good")])
        try fixture.source.start()
        #expect(fixture.store.isLoaded)
        #expect(fixture.names() == ["ns/good"])
        #expect(fixture.store.reloadErrors == 1)
    }

    @Test func aDeletedFileDropsItsModels() throws {
        let fixture = try Fixture(files: ["a.yaml": Self.model("a"), "b.yaml": Self.model("b")])
        try fixture.source.start()
        try fixture.remove("b.yaml")
        #expect(Self.eventually { fixture.names() == ["ns/a"] })
        #expect(fixture.logLines(message: "manifest removed; its models leave the catalog").count == 1)
    }

    @Test func reloadRescansImmediatelyAndRereadsFilesWhoseSignatureDidNotChange() throws {
        let fixture = try Fixture(files: ["a.yaml": Self.model("a")], pollInterval: .seconds(3600))
        try fixture.source.start()
        try fixture.write("b.yaml", Self.model("b"))
        #expect(fixture.names() == ["ns/a"])
        fixture.source.reload()
        #expect(fixture.names() == ["ns/a", "ns/b"])

        // Same size, same inode, modification time put back: only a re-read can see this change.
        let path = fixture.path("a.yaml")
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(Self.model("z").utf8))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
        fixture.source.reload()
        #expect(fixture.names() == ["ns/b", "ns/z"])
    }

    @Test func aMissingPathIsAStartUpErrorNamingIt() throws {
        let fixture = try Fixture(paths: ["/nonexistent/models", "/also/missing.yaml"])
        let error = try #require(throws: CatalogSourceError.self) { try fixture.source.start() }
        #expect(error.description.contains("/nonexistent/models"))
        #expect(error.description.contains("/also/missing.yaml"))
        #expect(!fixture.store.isLoaded)
        fixture.source.reload()
        #expect(fixture.store.generation == 0)

        let device = try #require(throws: CatalogSourceError.self) { try FileCatalogSource.check(paths: ["/dev/null"]) }
        #expect(device.description == "models path /dev/null is neither a file nor a directory")
        try FileCatalogSource.check(paths: [fixture.directory.path])
    }

    @Test func anEmptyDirectoryLoadsAnEmptyCatalogWithAWarning() throws {
        let fixture = try Fixture()
        try fixture.source.start()
        #expect(fixture.store.isLoaded)
        #expect(fixture.names().isEmpty)
        #expect(fixture.logLines(message: "models directory holds no .yaml, .yml or .json files").count == 1)
    }

    @Test func aListedFileIsReadWhateverItsExtension() throws {
        let fixture = try Fixture(files: ["models.conf": Self.model("conf")])
        let source = FileCatalogSource(
            paths: [fixture.path("models.conf")],
            store: fixture.store,
            logger: Self.quiet
        )
        defer { source.stop() }
        try source.start()
        #expect(fixture.names() == ["ns/conf"])
    }

    @Test func theFirstFileInPathOrderWinsAndTheConflictIsLoggedOnce() throws {
        let fixture = try Fixture(files: [
            "1.yaml": Self.model("dup", endpoint: "http://127.0.0.1:1/first"),
            "2.yaml": Self.model("dup", endpoint: "http://127.0.0.1:1/second"),
        ])
        try fixture.source.start()
        #expect(fixture.store.snapshot.models.map(\.endpoint) == ["http://127.0.0.1:1/first"])
        try fixture.write("3.yaml", Self.model("other"))
        #expect(Self.eventually { fixture.names() == ["ns/dup", "ns/other"] })
        let warnings = fixture.logLines(
            message: "models defined in several files; using the first (a MaaSModelRef before a MaaSModel)"
        )
        #expect(warnings.count == 1)
        #expect(warnings.first?["using"] as? String == fixture.path("1.yaml"))
        #expect(warnings.first?["ignored"] as? String == fixture.path("2.yaml"))
        #expect(warnings.first?["count"] as? Int == 1)
        #expect(warnings.first?["first"] as? String == "ns/dup")

        try fixture.remove("1.yaml")
        #expect(Self.eventually { fixture.store.snapshot.models.map(\.endpoint).contains("http://127.0.0.1:1/second") })
        // The conflict cleared: one info line, and no new warning.
        #expect(Self.eventually { fixture.logLines(message: "models no longer defined in several files").count == 1 })
        #expect(
            fixture.logLines(
                message: "models defined in several files; using the first (a MaaSModelRef before a MaaSModel)"
            ).count == 1
        )
    }

    @Test func decoderWarningsAreLoggedOncePerChange() throws {
        let other = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: ns}\n"
        let fixture = try Fixture(files: ["a.yaml": Self.model("a") + "\n---\n" + other])
        try fixture.source.start()
        Self.letThePollerRun()
        fixture.source.reload()
        let warnings = { fixture.logLines(message: "manifest has objects or fields the catalog skips") }
        #expect(warnings().count == 1)
        #expect(warnings().first?["level"] as? String == "warning")
        #expect(warnings().first?["file"] as? String == fixture.path("a.yaml"))
        #expect((warnings().first?["first"] as? String)?.contains("skipped ConfigMap 'ns/settings'") == true)
        #expect(warnings().first?["count"] as? Int == 1)

        // The same warnings after a change of the file: the condition did not change, no new line.
        try fixture.write("a.yaml", Self.model("b") + "\n---\n" + other)
        #expect(Self.eventually { fixture.names() == ["ns/b"] })
        #expect(warnings().count == 1)
        // A second skipped object changes it; a clean file clears it.
        try fixture.write(
            "a.yaml",
            Self.model("b") + "\n---\n" + other + "---\n" + other.replacingOccurrences(of: "settings", with: "more")
        )
        #expect(Self.eventually { warnings().count == 2 })
        #expect(warnings().last?["count"] as? Int == 2)
        try fixture.write("a.yaml", Self.model("c"))
        #expect(Self.eventually { fixture.names() == ["ns/c"] })
        #expect(
            Self.eventually {
                fixture.logLines(message: "manifest no longer has objects or fields the catalog skips").count == 1
            }
        )
    }

    @Test func aConfigMapMountIsReadThroughItsSymlinksAndItsSwapIsSeen() throws {
        // The layout the kubelet writes: real files in a hidden timestamped directory, `..data`
        // pointing at it, and top-level symlinks through `..data`.
        let fixture = try Fixture()
        let manager = FileManager.default
        try fixture.write("..2026_01_01/models.yaml", Self.model("first"))
        try manager.createSymbolicLink(atPath: fixture.path("..data"), withDestinationPath: "..2026_01_01")
        try manager.createSymbolicLink(atPath: fixture.path("models.yaml"), withDestinationPath: "..data/models.yaml")
        try fixture.source.start()
        #expect(fixture.names() == ["ns/first"])
        #expect(
            fixture.logLines(
                message: "models defined in several files; using the first (a MaaSModelRef before a MaaSModel)"
            ).isEmpty
        )

        // The update: a new timestamped directory, then an atomic rename of a new `..data` link.
        try fixture.write("..2026_01_02/models.yaml", Self.model("second"))
        try manager.createSymbolicLink(atPath: fixture.path("..data_tmp"), withDestinationPath: "..2026_01_02")
        #expect(rename(fixture.path("..data_tmp"), fixture.path("..data")) == 0)
        #expect(Self.eventually { fixture.names() == ["ns/second"] })
    }

    @Test func symlinkedDirectoriesAreFollowedAndLoopsEnd() throws {
        let fixture = try Fixture(files: ["shared/s.yaml": Self.model("s")])
        let elsewhere = try Fixture(files: ["e.yaml": Self.model("e")])
        let manager = FileManager.default
        try manager.createSymbolicLink(atPath: fixture.path("linked"), withDestinationPath: elsewhere.directory.path)
        try manager.createSymbolicLink(atPath: fixture.path("shared/loop"), withDestinationPath: "..")
        try manager.createSymbolicLink(atPath: fixture.path("dangling.yaml"), withDestinationPath: "nowhere.yaml")
        try fixture.source.start()
        #expect(fixture.names() == ["ns/e", "ns/s"])
        #expect(fixture.store.reloadErrors == 0)
    }

    @Test func observersSeeEverySwapInGenerationOrderAndStopEndsPublishing() throws {
        let fixture = try Fixture(files: ["a.yaml": Self.model("a")])
        let seen = Box<[(UInt64, Int)]>([])
        fixture.store.observe { snapshot in seen.mutate { $0.append((snapshot.generation, snapshot.models.count)) } }
        try fixture.source.start()
        try fixture.write("b.yaml", Self.model("b"))
        #expect(Self.eventually { seen.value.count == 2 })
        #expect(seen.value.map(\.0) == [1, 2])
        #expect(seen.value.map(\.1) == [1, 2])

        fixture.source.stop()
        try fixture.write("c.yaml", Self.model("c"))
        Self.letThePollerRun()
        fixture.source.reload()
        #expect(fixture.names() == ["ns/a", "ns/b"])
        #expect(seen.value.count == 2)
    }

    @Test func theHigherPrioritySourceWinsAndTheStoreWaitsForEverySource() {
        let log = LogSink.capturing()
        let logger = Logger(label: "test") { _ in JSONLogHandler(level: .trace, sink: log) }
        let store = CatalogStore(kinds: .builtIn, sources: ["files", "kubernetes"], logger: logger)
        let fromFile = MaaSModel(namespace: "ns", name: "m", modelRef: ModelRef(name: "m"), endpoint: "http://file")
        let onlyInFile = MaaSModel(namespace: "ns", name: "f", modelRef: ModelRef(name: "f"), endpoint: "http://f")
        let fromCluster = MaaSModel(
            namespace: "ns",
            name: "m",
            modelRef: ModelRef(name: "m"),
            endpoint: "http://cluster"
        )
        store.publish(source: "files", priority: FileCatalogSource.priority, models: [fromFile, onlyInFile])
        #expect(!store.isLoaded)
        #expect(store.pendingSources == ["kubernetes"])
        #expect(store.snapshot.models.map(\.endpoint) == ["http://f", "http://file"])

        store.publish(source: "kubernetes", priority: 1, models: [fromCluster])
        #expect(store.isLoaded)
        #expect(store.snapshot.models.map(\.endpoint) == ["http://f", "http://cluster"])
        // Publishing again keeps the conflict: the warning is not repeated.
        store.publish(source: "files", priority: FileCatalogSource.priority, models: [fromFile, onlyInFile])
        #expect(store.snapshot.models.map(\.endpoint) == ["http://f", "http://cluster"])
        #expect(store.generation == 3)
        let warnings = log.captured.filter { $0.contains("models defined by several sources") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains(#""using":"kubernetes""#) == true)
        #expect(warnings.first?.contains(#""ignored":"files""#) == true)

        store.publish(source: "kubernetes", priority: 1, models: [])
        #expect(store.snapshot.models.map(\.endpoint) == ["http://f", "http://file"])
    }

    @Test func maxModelsKeepsThePreferredSourceFirstThenEachSourcesOrder() {
        let log = LogSink.capturing()
        let logger = Logger(label: "test") { _ in JSONLogHandler(level: .trace, sink: log) }
        let store = CatalogStore(kinds: .builtIn, sources: ["files", "kubernetes"], maxModels: 3, logger: logger)
        func models(_ names: [String]) -> [MaaSModel] {
            names.map { MaaSModel(namespace: "ns", name: $0, modelRef: ModelRef(name: $0), endpoint: "http://e/\($0)") }
        }
        store.publish(source: "files", priority: FileCatalogSource.priority, models: models(["f2", "f1", "f3"]))
        #expect(store.snapshot.models.map(\.name) == ["f1", "f2", "f3"])
        #expect(store.reloadErrors == 0)
        store.publish(source: "kubernetes", priority: 1, models: models(["k1", "k2"]))
        // Kubernetes first, then the files in their own order: f1 and f3 are refused.
        #expect(store.snapshot.models.map(\.name) == ["f2", "k1", "k2"])
        #expect(store.reloadErrors == 1)
        let refused = log.captured.filter { $0.contains("models beyond models.maxModels refused") }
        #expect(refused.count == 1)
        #expect(refused.first?.contains(#""first":"ns/f1, ns/f3""#) == true)
        // The same refusal on the next publish: not logged or counted again.
        store.publish(source: "kubernetes", priority: 1, models: models(["k1", "k2"]))
        #expect(store.reloadErrors == 1)
        // A larger limit on SIGHUP applies at once and clears the condition.
        store.update(maxModels: 10)
        #expect(store.snapshot.models.count == 5)
        #expect(log.captured.contains { $0.contains("no models beyond models.maxModels any more") })
        #expect(store.reloadErrors == 1)
    }

    @Test func aMaaSModelRefInALaterFileWinsOverAMaaSModelInAnEarlierOne() throws {
        let ref = Self.model("x", endpoint: "http://127.0.0.1:1/ref")
            .replacingOccurrences(of: "kind: MaaSModel", with: "kind: MaaSModelRef")
        let fixture = try Fixture(files: [
            "1.yaml": Self.model("x", endpoint: "http://127.0.0.1:1/model"),
            "2.yaml": ref,
        ])
        try fixture.source.start()
        #expect(fixture.store.snapshot.models.map(\.endpoint) == ["http://127.0.0.1:1/ref"])
        #expect(fixture.store.snapshot.models.first?.resource == .maasModelRef)
        let lines = fixture.logLines(
            message: "models defined in several files; using the first (a MaaSModelRef before a MaaSModel)"
        )
        #expect(lines.first?["ignored"] as? String == fixture.path("1.yaml"))
        #expect(lines.first?["using"] as? String == fixture.path("2.yaml"))
    }

    @Test func checkConfigRefusesWhatServeRefuses() throws {
        let fixture = try Fixture(files: [
            "a.yaml": Self.model("a") + "\n---\n" + Self.model("b"),
            "big.yaml": Self.model("big") + "\n# " + String(repeating: "x", count: 4096),
        ])
        let report = CatalogCheck.run(paths: [fixture.directory.path], maxFileBytes: 4096, maxModels: 1)
        #expect(report.models.map(\.name) == ["a"])
        #expect(report.problems.count == 2)
        #expect(report.problems.contains { $0.contains("big.yaml") && $0.contains("models.maxFileBytes (4096)") })
        #expect(report.problems.contains { $0.contains("1 models beyond models.maxModels (1)") && $0.contains("ns/b") })
    }

    @Test func markLoadedCountsASourceAsLoadedWithoutModels() {
        let store = CatalogStore(kinds: .builtIn, sources: ["files", "kubernetes"], logger: Self.quiet)
        store.markLoaded(source: "kubernetes")
        #expect(!store.isLoaded)
        store.publish(source: "files", priority: 0, models: [])
        #expect(store.isLoaded)
    }

    @Test func updatingTheKindsPublishesASnapshotThatUsesThem() {
        let store = CatalogStore(kinds: .builtIn, sources: ["files"], logger: Self.quiet)
        store.update(kinds: .builtIn)
        #expect(store.generation == 0)
        let kinds = KindRegistry(configured: ["CustomModel": .none])
        store.update(kinds: kinds)
        #expect(store.generation == 1)
        #expect(store.snapshot.kinds.isKnown("CustomModel"))
    }

    @Test func theBundledDemoCatalogLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let fixture = try Fixture(paths: [root.appendingPathComponent("config/models").path])
        try fixture.source.start()
        #expect(fixture.store.reloadErrors == 0)
        #expect(
            fixture.names() == [
                "external/gpt-4o", "llm/facebook-opt-125m-simulated", "llm/qwen3-0-6b-instruct",
                "premium/granite-3-1-8b", "premium/llama-3-70b",
            ]
        )
        #expect(fixture.store.modelsByPhase == ["Ready": 4, "Pending": 1])
        #expect(fixture.logLines().filter { $0["level"] as? String == "warning" }.isEmpty)
        let snapshot = fixture.store.snapshot
        let opt = try #require(snapshot.model(ModelID(namespace: "llm", name: "facebook-opt-125m-simulated")))
        #expect(opt.endpoint == "http://127.0.0.1:8001/llm/facebook-opt-125m-simulated")
        #expect(opt.annotations["opendatahub.io/model-capabilities"] == #"["chat","completions"]"#)
        let external = try #require(snapshot.model(ModelID(namespace: "external", name: "gpt-4o")))
        #expect(external.modelRef.kind == "ExternalModel")
        #expect(external.endpoint == "http://127.0.0.1:8002/external/gpt-4o")
        #expect(
            snapshot.model(ModelID(namespace: "premium", name: "granite-3-1-8b"))?.endpoint
                == "http://127.0.0.1:8002/llm/granite-3-1-8b"
        )
        #expect(
            snapshot.model(ModelID(namespace: "llm", name: "qwen3-0-6b-instruct"))?.endpoint
                == "http://127.0.0.1:8001/llm/qwen3-0-6b-instruct"
        )
    }

    /// A value shared with callbacks on other threads.
    final class Box<Value: Sendable>: Sendable {
        private let storage: Mutex<Value>

        init(_ value: Value) { storage = Mutex(value) }

        var value: Value { storage.withLock { $0 } }

        func mutate(_ body: (inout Value) -> Void) { storage.withLock { body(&$0) } }
    }
}
