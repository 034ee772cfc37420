import Foundation
import Testing

/// The catalog's bounds and its logs through the binary (SPEC 1, SPEC 6 Logs): a manifest over
/// `models.maxFileBytes` or models beyond `models.maxModels` are refused, logged and counted while
/// the rest is served; a duplicate of 200 models over 20 rebuilds writes a handful of lines.
/// `ExternalModel` entries are listed iff Ready without a probe, so no backend is needed.
@Suite(.serialized)
struct CatalogLimitsLiveTests {
    static func models(_ names: [String], comment: String = "") -> String {
        comment
            + names.map { name in
                """
                apiVersion: maas.opendatahub.io/v1alpha1
                kind: MaaSModel
                metadata: {name: \(name), namespace: live}
                spec: {modelRef: {kind: ExternalModel, name: \(name)}}
                status: {phase: Ready, endpoint: "http://127.0.0.1:9/\(name)"}
                """
            }.joined(separator: "\n---\n")
    }

    static func start(_ directory: URL, models: URL, extra: String) throws -> RunningProxy {
        let config = directory.appendingPathComponent("maas-proxy.yaml")
        try "models:\n  paths: [\"\(models.path)\"]\n\(extra)log:\n  level: info\n".write(
            to: config,
            atomically: true,
            encoding: .utf8
        )
        return try LiveHarness.startProxy(arguments: ["--config", config.path])
    }

    static func reloadErrors(_ proxy: RunningProxy) throws -> Int? {
        let metrics = try RawHTTPClient(port: proxy.adminPort).request("GET", "/metrics").bodyText
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("maas_proxy_catalog_reload_errors_total ") }
        return line?.split(separator: " ").last.flatMap { Int($0) }
    }

    @Test func aManifestOverTheSizeLimitIsRefusedCountedAndTheRestIsServed() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try Self.models(["small"]).write(to: models.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        let big = models.appendingPathComponent("b.yaml")
        let bigNames = (0..<40).map { "big-\($0)" }
        try Self.models(bigNames).write(to: big, atomically: true, encoding: .utf8)
        let proxy = try Self.start(directory, models: models, extra: "  maxFileBytes: 4096\n")
        #expect(try proxy.listedIDs(token: "Bearer a") == ["small"])
        let refusals = {
            proxy.process.output.filter {
                $0.contains("manifest not loaded; keeping its last good contents") && $0.contains("b.yaml")
            }
        }
        #expect(refusals().count == 1)
        #expect(refusals().first?.contains("models.maxFileBytes (4096)") == true)
        #expect(try Self.reloadErrors(proxy) == 1)

        // Under the limit now: loaded. Over it again: its last good contents stay, counted once more.
        try Self.models(["big-0", "big-1"]).write(to: big, atomically: true, encoding: .utf8)
        #expect(
            try eventually(timeout: .seconds(3)) {
                try proxy.listedIDs(token: "Bearer a") == ["big-0", "big-1", "small"]
            }
        )
        try Self.models(bigNames + ["more"]).write(to: big, atomically: true, encoding: .utf8)
        #expect(eventually(timeout: .seconds(3)) { refusals().count == 2 })
        #expect(try Self.reloadErrors(proxy) == 2)
        #expect(try proxy.listedIDs(token: "Bearer a") == ["big-0", "big-1", "small"])
        // A SIGHUP re-reads every file: the refused one is not counted again while it is unchanged.
        proxy.process.signal(SIGHUP)
        #expect(
            eventually(timeout: .seconds(3)) { proxy.process.output.contains { $0.contains("configuration reloaded") } }
        )
        #expect(try Self.reloadErrors(proxy) == 2)
    }

    @Test func modelsBeyondMaxModelsAreRefusedInPathOrderLoggedAndCounted() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try Self.models(["m1"]).write(to: models.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try Self.models(["m3", "m2", "m4"]).write(
            to: models.appendingPathComponent("b.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let proxy = try Self.start(directory, models: models, extra: "  maxModels: 2\n")
        // Files in path order, models in file order: a.yaml's m1, then b.yaml's m3; m2 and m4 are refused.
        #expect(try proxy.listedIDs(token: "Bearer a") == ["m1", "m3"])
        let refused = { proxy.process.output.filter { $0.contains("models beyond models.maxModels refused") } }
        #expect(refused().count == 1)
        #expect(refused().first?.contains(#""first":"live/m2, live/m4""#) == true)
        #expect(refused().first?.contains(#""count":2"#) == true)
        #expect(try Self.reloadErrors(proxy) == 1)
        // Fewer models: the condition clears, and nothing more is counted.
        try FileManager.default.removeItem(at: models.appendingPathComponent("a.yaml"))
        #expect(try eventually(timeout: .seconds(3)) { try proxy.listedIDs(token: "Bearer a") == ["m2", "m3"] })
        try FileManager.default.removeItem(at: models.appendingPathComponent("b.yaml"))
        #expect(
            eventually(timeout: .seconds(3)) {
                proxy.process.output.contains { $0.contains("no models beyond models.maxModels any more") }
            }
        )
        #expect(try Self.reloadErrors(proxy) == 2)
    }

    @Test func twoHundredDuplicatedModelsOverTwentyRebuildsWriteAFewLinesAndAccessLinesAreNotLimited() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        let names = (0..<200).map { "m-\($0)" }
        try Self.models(names).write(to: models.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        let second = models.appendingPathComponent("b.yaml")
        try Self.models(names).write(to: second, atomically: true, encoding: .utf8)
        let proxy = try Self.start(directory, models: models, extra: "")
        #expect(try proxy.listedIDs(token: "Bearer a").count == 200)

        // 20 rebuilds: the second file is rewritten (a new comment) or removed, then SIGHUP.
        for round in 1...20 {
            if round % 2 == 0 {
                try FileManager.default.removeItem(at: second)
            } else {
                try Self.models(names, comment: "# round \(round)\n").write(
                    to: second,
                    atomically: true,
                    encoding: .utf8
                )
            }
            proxy.process.signal(SIGHUP)
            #expect(
                eventually(timeout: .seconds(5)) {
                    proxy.process.output.filter { $0.contains(#""msg":"configuration reloaded""#) }.count == round
                }
            )
        }
        let warnings = proxy.process.output.filter { $0.contains(#""level":"warning""#) }
        let duplicates = warnings.filter { $0.contains("models defined in several files") }
        // The duplicate appears 10 times (at start, then each time the removed file comes back).
        // Before: one line per model and appearance, 200 × 10 = 2 000. Now: one line per appearance.
        #expect(duplicates.count == 10, "\(duplicates.count) duplicate lines")
        #expect(duplicates.first?.contains(#""count":200"#) == true)
        #expect(warnings.count <= 12, "\(warnings.count) warning lines: \(warnings.prefix(3))")
        #expect(try proxy.listedIDs(token: "Bearer a").count == 200)

        // Access lines are never limited: 30 calls, 30 lines (told apart by their request ids: an
        // earlier call's line may still be on its way through the pipe).
        let access = {
            proxy.process.output.filter { $0.contains(#""msg":"access""#) && $0.contains("flood-check-") }.count
        }
        for call in 0..<30 {
            _ = try proxy.get(
                "/v1/models",
                headers: [("Authorization", "Bearer a"), ("X-Request-Id", "flood-check-\(call)")]
            )
        }
        #expect(eventually { access() == 30 })
        Thread.sleep(forTimeInterval: 0.2)
        #expect(access() == 30)
    }
}
