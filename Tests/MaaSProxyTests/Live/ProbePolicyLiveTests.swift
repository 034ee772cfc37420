import Foundation
import Testing

/// Probe concurrency, retries, the deadline, single flight and self-probing, against real processes
/// (SPEC 3.1, 3.2, 4).
@Suite(.serialized)
struct ProbePolicyLiveTests {
    static func manifest(_ models: [(name: String, endpoint: String)]) -> String {
        models.map { model in
            """
            apiVersion: maas.opendatahub.io/v1alpha1
            kind: MaaSModel
            metadata: {name: \(model.name), namespace: live}
            spec: {modelRef: {kind: LLMInferenceService, name: \(model.name)}}
            status: {phase: Ready, endpoint: "\(model.endpoint)"}
            """
        }.joined(separator: "\n---\n")
    }

    struct Setup {
        let directory: URL
        let backend: FakeBackend
        let proxy: RunningProxy
        let models: URL
    }

    /// A backend with `count` models `m1…mN` (each `modelYAML` extra keys) and a proxy over them.
    static func start(count: Int, modelYAML: String, proxyArguments: [String] = []) throws -> Setup {
        let directory = try LiveHarness.temporaryDirectory()
        let config =
            "models:\n"
            + (1...count).map { "  - {prefix: /m\($0), ids: [m\($0)], \(modelYAML)}" }.joined(separator: "\n")
        let backend = try LiveHarness.startBackend(config: config, in: directory)
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try manifest((1...count).map { ("m\($0)", "\(backend.baseURL)/m\($0)") })
            .write(to: models.appendingPathComponent("catalog.yaml"), atomically: true, encoding: .utf8)
        let proxy = try LiveHarness.startProxy(arguments: ["--models", models.path] + proxyArguments)
        return Setup(directory: directory, backend: backend, proxy: proxy, models: models)
    }

    @Test func atMostTenProbesInFlightForOneListing() throws {
        let setup = try Self.start(count: 25, modelYAML: "delayMs: 100, default: {status: 200}")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let started = ContinuousClock.now
        #expect(try setup.proxy.listedIDs(token: "Bearer a").count == 25)
        let elapsed = ContinuousClock.now - started
        let stats = try setup.backend.stats()
        #expect(stats["max_in_flight_models"] == 10)
        #expect(stats["models_requests"] == 25)
        // Three waves of 100 ms (10 + 10 + 5), not one, not twenty-five.
        #expect(elapsed >= .milliseconds(300) && elapsed < .milliseconds(1_500))
    }

    @Test func transientFailuresAreRetriedAndThenGranted() throws {
        let setup = try Self.start(count: 1, modelYAML: "failFirst: 2, default: {status: 200}")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        #expect(try setup.proxy.listedIDs(token: "Bearer a") == ["m1"])
        #expect(try setup.backend.probes().count == 3)
    }

    @Test func theDeadlineBoundsTheListing() throws {
        let setup = try Self.start(
            count: 2,
            modelYAML: "default: {status: 200}",
            proxyArguments: ["--probe-deadline", "1s"]
        )
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        try setup.backend.replaceConfig(
            """
            models:
              - {prefix: /m1, ids: [m1], default: {status: 200}}
              - {prefix: /m2, ids: [m2], delayMs: 3000, default: {status: 200}}
            """
        )
        let started = ContinuousClock.now
        let response = try setup.proxy.get("/v1/models", headers: [("Authorization", "Bearer a")])
        let elapsed = ContinuousClock.now - started
        #expect(response.status == 200)
        let ids = (try response.json() as? [String: Any])?["data"].flatMap { $0 as? [[String: Any]] }?.compactMap {
            $0["id"] as? String
        }
        #expect(ids == ["m1"])
        #expect(elapsed >= .milliseconds(900) && elapsed < .milliseconds(2_000))
    }

    @Test func concurrentColdListingsShareOneProbePerModel() throws {
        let setup = try Self.start(count: 3, modelYAML: "delayMs: 300, default: {status: 200}")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 20) { _ in
            let ids = (try? setup.proxy.listedIDs(token: "Bearer same")) ?? []
            results.append(ids)
        }
        #expect(results.all.count == 20)
        #expect(results.all.allSatisfy { $0 == ["m1", "m2", "m3"] })
        #expect(try setup.backend.probes().count == 3)
    }

    @Test func anEndpointPointingAtTheProxyItselfIsNeverProbed() throws {
        let setup = try Self.start(count: 1, modelYAML: "default: {status: 200}")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        try Self.manifest([
            ("loop", "http://127.0.0.1:\(setup.proxy.port)/loop"), ("loop2", "http://localhost:\(setup.proxy.port)"),
        ])
        .write(to: setup.models.appendingPathComponent("self.yaml"), atomically: true, encoding: .utf8)
        setup.proxy.process.signal(SIGHUP)
        // The reload is seen by the next request; the exclusion is logged when the snapshot is first used.
        #expect(
            try eventually(timeout: .seconds(3)) {
                try setup.proxy.listedIDs(token: "Bearer a") == ["m1"]
                    && setup.proxy.process.output.contains { $0.contains("excluded") && $0.contains("live/loop2") }
            }
        )
        // One line for the reason, naming both models (SPEC 6 Logs: one line per condition, not per model).
        let excluded = setup.proxy.process.output.filter { $0.contains("models excluded from listing and routing") }
        #expect(excluded.count == 1)
        #expect(excluded.first?.contains(#""first":"live/loop, live/loop2""#) == true)
        #expect(excluded.first?.contains(#""count":2"#) == true)
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[String]] = []
    func append(_ value: [String]) { lock.withLock { values.append(value) } }
    var all: [[String]] { lock.withLock { values } }
}

extension ProbePolicyLiveTests {
    @Test func aListingBodyOverFourMebibytesIsUnavailable() throws {
        let setup = try Self.start(count: 2, modelYAML: "default: {status: 200}")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        try setup.backend.replaceConfig(
            """
            models:
              - {prefix: /m1, ids: [m1], default: {status: 200, padBytes: 4200000}}
              - {prefix: /m2, ids: [m2], default: {status: 200, padBytes: 4000000}}
            """
        )
        // m1's answer is over 4 MiB: never parsed, retried, then unavailable; m2's is just under.
        #expect(try setup.proxy.listedIDs(token: "Bearer a") == ["m2"])
        #expect(try setup.backend.probes().filter { ($0["uri"] as? String) == "/m1/v1/models" }.count == 4)
    }
}
