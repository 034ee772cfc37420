import Foundation
import Testing

/// The CLI as an operator runs it: exit codes and messages (SPEC 6).
@Suite struct CommandLineLiveTests {
    static func run(_ arguments: [String]) throws -> (status: Int32?, output: [String], errors: [String]) {
        let process = try ManagedProcess(product: "maas-proxy", arguments: arguments)
        let status = process.waitForExit(timeout: .seconds(20))
        Thread.sleep(forTimeInterval: 0.05)  // let the pipe readers take the last lines
        return (status, process.output, process.errorOutput)
    }

    @Test func versionPrintsTheVersion() throws {
        let result = try Self.run(["version"])
        #expect(result.status == 0)
        #expect(result.output.first?.hasPrefix("maas-proxy 0.") == true)
    }

    @Test func checkConfigPrintsTheCatalogAndPassesOnTheBundledConfiguration() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let result = try Self.run([
            "check-config", "--config", root.appendingPathComponent("config/maas-proxy.yaml").path,
            "--models", root.appendingPathComponent("config/models").path,
        ])
        #expect(result.status == 0)
        #expect(result.output.contains { $0.hasPrefix("MODEL") && $0.contains("ROUTE PREFIX") })
        #expect(result.output.contains { $0.contains("llm/facebook-opt-125m-simulated") && $0.hasSuffix("ok") })
        #expect(result.output.contains { $0.contains("premium/llama-3-70b") && $0.contains("excluded") })
    }

    @Test func checkConfigNamesEveryProblemAndFails() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("bad.yaml")
        try "probe:\n  deadline: fast\n  concurency: 3\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try Self.run(["check-config", "--config", config.path])
        #expect(result.status != 0)
        let text = result.output.joined(separator: "\n")
        #expect(text.contains("\(config.path): probe.deadline"))
        #expect(text.contains("probe.concurency"))
    }

    @Test func checkConfigFailsOnABrokenManifest() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "kind: [broken".write(to: directory.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let result = try Self.run(["check-config", "--models", directory.path])
        #expect(result.status == 1)
        #expect(result.output.contains { $0.hasPrefix("error:") && $0.contains("m.yaml") })
    }

    @Test func serveRefusesAnInvalidFlagWithAClearMessage() throws {
        let result = try Self.run(["serve", "--probe-deadline", "soon", "--listen", "127.0.0.1:0"])
        #expect(result.status == 2)
        #expect(result.errors.joined(separator: "\n").contains("--probe-deadline"))
    }

    @Test func serveFailsWhenAModelsPathIsMissing() throws {
        let result = try Self.run([
            "serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--models", "/nonexistent/models",
        ])
        #expect(result.status == 1)
        #expect(result.errors.joined(separator: "\n").contains("/nonexistent/models"))
    }

    /// SPEC 6: with SO_REUSEPORT alone a second instance would start and silently take half of the
    /// connections; it must refuse the port instead, naming it (and the first keeps serving).
    @Test func serveRefusesAPortAnotherProcessListensOn() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try LiveHarness.startProxy(arguments: ["--models", directory.path, "--workers", "2"])
        defer { first.process.terminate() }
        let taken = "127.0.0.1:\(first.port)"
        let result = try Self.run([
            "serve", "--listen", taken, "--admin-listen", "127.0.0.1:0", "--models", directory.path,
        ])
        #expect(result.status == 1)
        let errors = result.errors.joined(separator: "\n")
        #expect(errors.contains(taken) && errors.contains("already in use"), "\(errors)")
        // The admin port of the first is refused the same way.
        let admin = try Self.run([
            "serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:\(first.adminPort)",
            "--models", directory.path,
        ])
        #expect(admin.status == 1)
        #expect(admin.errors.joined(separator: "\n").contains("already in use"))
        let health = try RawHTTPClient(port: first.adminPort).request("GET", "/healthz")
        #expect(health.status == 200)
    }
}
