import Foundation
import Testing

/// `maas-proxy explain` against a real backend: what an operator runs to learn why a model is
/// (not) visible (issue 5).
@Suite struct ExplainLiveTests {
    static func explain(_ arguments: [String], credential: String, in directory: URL) throws -> (Int32?, String) {
        let file = directory.appendingPathComponent("credential-\(UUID().uuidString)")
        try credential.write(to: file, atomically: true, encoding: .utf8)
        let process = try ManagedProcess(
            product: "maas-proxy",
            arguments: ["explain", "--credential-file", file.path] + arguments
        )
        let status = process.waitForExit(timeout: .seconds(20))
        Thread.sleep(forTimeInterval: 0.05)
        return (status, (process.output + process.errorOutput).joined(separator: "\n"))
    }

    @Test func explainsAGrantedAndADeniedCredentialWithoutPrintingEither() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try LiveHarness.startBackend(
            config: """
                models:
                  - {prefix: /m, ids: [served-a, served-b], tokens: {"Bearer good-secret": {status: 200}}, default: {status: 403}}
                """,
            in: directory
        )
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try ProbePolicyLiveTests.manifest([("m", "\(backend.baseURL)/m")])
            .write(to: models.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)

        let (grantedStatus, granted) = try Self.explain(
            ["--models", models.path, "live/m"],
            credential: "Bearer good-secret\n",
            in: directory
        )
        #expect(grantedStatus == 0)
        #expect(granted.contains("probe        GET \(backend.baseURL)/m/v1/models"))
        #expect(granted.contains("Authorization: <redacted>"))
        #expect(granted.contains("granted (2 served ids)"))
        #expect(granted.contains("served ids   served-a, served-b"))
        #expect(granted.contains("decision     granted, cached for 1m"))
        #expect(granted.contains("route prefix /m"))
        #expect(!granted.contains("good-secret"))

        let (deniedStatus, denied) = try Self.explain(
            ["--models", models.path, "served-a"],
            credential: "Bearer bad-secret",
            in: directory
        )
        #expect(deniedStatus == 1)
        #expect(denied.contains("no model serves the id served-a"))
        let (_, deniedByName) = try Self.explain(
            ["--models", models.path, "live/m"],
            credential: "Bearer bad-secret",
            in: directory
        )
        #expect(deniedByName.contains("denied (403)"))
        #expect(deniedByName.contains("decision     denied, cached for 10s"))
        #expect(deniedByName.contains("listed as    not listed"))
        #expect(!deniedByName.contains("bad-secret"))
    }
}
