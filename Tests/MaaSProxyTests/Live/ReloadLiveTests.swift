import Foundation
import Testing

/// SIGHUP applies the configuration keys that can change while serving, and names the others.
@Suite struct ReloadLiveTests {
    @Test func sighupAppliesLogLevelKindsAndModelPathsAndNamesRestartOnlyKeys() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try LiveHarness.startBackend(
            config:
                "models:\n  - {prefix: /m, ids: [m], default: {status: 200}}\n  - {prefix: /h, ids: [h], default: {status: 200}}\n",
            in: directory
        )
        let first = directory.appendingPathComponent("first")
        let second = directory.appendingPathComponent("second")
        for folder in [first, second] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try ProbePolicyLiveTests.manifest([("m", "\(backend.baseURL)/m")])
            .write(to: first.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        try """
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata: {name: h, namespace: live}
        spec: {modelRef: {kind: HostedModel, name: h}}
        status: {phase: Ready, endpoint: "\(backend.baseURL)/h"}
        """.write(to: second.appendingPathComponent("h.yaml"), atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("maas-proxy.yaml")
        try "models:\n  paths: [\"\(first.path)\"]\nlog:\n  level: info\n".write(
            to: config,
            atomically: true,
            encoding: .utf8
        )
        let proxy = try LiveHarness.startProxy(arguments: ["--config", config.path])
        #expect(try proxy.listedIDs(token: "Bearer a") == ["m"])
        let accessLines = { proxy.process.output.filter { $0.contains("\"msg\":\"access\"") }.count }
        // The access line is written just after the answer: give the reader thread a moment.
        #expect(eventually { accessLines() == 1 })

        try """
        models:
          paths: ["\(first.path)", "\(second.path)"]
        kinds:
          HostedModel: {probe: none}
        log:
          level: warning
        limits:
          maxHeaderBytes: 1024
        """.write(to: config, atomically: true, encoding: .utf8)
        proxy.process.signal(SIGHUP)
        #expect(
            eventually(timeout: .seconds(3)) {
                proxy.process.output.contains { $0.contains("need a restart") && $0.contains("limits") }
            }
        )
        // The new path and the new kind are in use; the new level silences access lines.
        #expect(try proxy.listedIDs(token: "Bearer a") == ["h", "m"])
        #expect(accessLines() == 1)

        try "models:\n  paths: [\"\(first.path)\"]\nprobe:\n  deadline: soon\n".write(
            to: config,
            atomically: true,
            encoding: .utf8
        )
        proxy.process.signal(SIGHUP)
        #expect(
            eventually(timeout: .seconds(3)) {
                proxy.process.output.contains {
                    $0.contains("configuration not reloaded") && $0.contains("probe.deadline")
                }
            }
        )
        #expect(try proxy.listedIDs(token: "Bearer a") == ["h", "m"])
    }
}
