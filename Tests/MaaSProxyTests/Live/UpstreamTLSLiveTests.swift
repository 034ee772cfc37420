import Foundation
import Testing

/// Probes over HTTPS verify the backend's certificate and host name (SPEC 3.2).
@Suite(.serialized)
struct UpstreamTLSLiveTests {
    static let backendConfig = "models:\n  - {prefix: /m, ids: [served], default: {status: 200}}\n"

    static func tlsBackend(_ certificates: TestCertificates, _ name: String, in directory: URL) throws -> FakeBackend {
        let file = directory.appendingPathComponent("\(name).yaml")
        try backendConfig.write(to: file, atomically: true, encoding: .utf8)
        let process = try ManagedProcess(
            product: "fake-model-server",
            arguments: [
                "--listen", "127.0.0.1:0", "--config", file.path, "--tls-cert", certificates.path("\(name).pem"),
                "--tls-key", certificates.path("\(name).key"),
            ]
        )
        guard let line = process.waitForLine(where: { $0.hasPrefix("listening ") }),
            let port = line.split(separator: ":").last.flatMap({ Int($0) })
        else { throw LiveHarnessError.didNotStart("fake-model-server", process.errorOutput) }
        return FakeBackend(process: process, port: port)
    }

    @Test func onlyBackendsWithAValidChainAndMatchingNameAreGranted() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates.make(in: directory)
        var backends: [String: FakeBackend] = [:]
        for name in ["good", "wronghost", "selfsigned", "expired"] {
            backends[name] = try Self.tlsBackend(certificates, name, in: directory)
        }
        let good = backends["good"]!.port
        let models: [(String, String)] = [
            ("by-ip", "https://127.0.0.1:\(good)/m"),
            ("by-name", "https://localhost:\(good)/m"),
            ("wrong-host", "https://127.0.0.1:\(backends["wronghost"]!.port)/m"),
            ("self-signed", "https://127.0.0.1:\(backends["selfsigned"]!.port)/m"),
            ("expired", "https://127.0.0.1:\(backends["expired"]!.port)/m"),
        ]
        let modelsDirectory = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: modelsDirectory, withIntermediateDirectories: true)
        try ProbePolicyLiveTests.manifest(models)
            .write(to: modelsDirectory.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let proxy = try LiveHarness.startProxy(arguments: [
            "--models", modelsDirectory.path, "--ca-bundle", certificates.path("ca.pem"), "--probe-deadline", "2s",
        ])
        let response = try proxy.get("/v1/models", headers: [("Authorization", "Bearer a")])
        let data = (try response.json() as? [String: Any])?["data"] as? [[String: Any]] ?? []
        #expect(
            Set(data.compactMap { $0["url"] as? String }) == [
                "https://127.0.0.1:\(good)/m", "https://localhost:\(good)/m",
            ]
        )
        // The refused backends never saw the credential: the handshake failed before any request.
        for name in ["wronghost", "selfsigned", "expired"] {
            #expect(try backends[name]!.requestsOverTLS(certificates).isEmpty)
        }
        #expect(try backends["good"]!.requestsOverTLS(certificates).count == 2)
    }

    @Test func aForwardedCallToABackendThatFailsVerificationIs502WithTheReasonLogged() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates.make(in: directory)
        let wrong = try Self.tlsBackend(certificates, "wronghost", in: directory)
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        // An ExternalModel has no probe, so the forwarded call itself meets the certificate.
        try """
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata: {name: ext, namespace: live}
        spec: {modelRef: {kind: ExternalModel, name: ext}}
        status: {phase: Ready, endpoint: "https://127.0.0.1:\(wrong.port)/m"}
        """.write(to: models.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let proxy = try LiveHarness.startProxy(arguments: [
            "--models", models.path, "--ca-bundle", certificates.path("ca.pem"),
        ])
        let response = try RawHTTPClient(port: proxy.port).request(
            "POST",
            "/m/v1/chat/completions",
            headers: [("Authorization", "Bearer a")],
            body: Array(#"{"model":"ext"}"#.utf8)
        )
        #expect(response.status == 502)
        #expect(response.errorCode == "upstream_unavailable")
        #expect(
            eventually {
                proxy.process.output.contains {
                    $0.contains("upstream call failed") && $0.contains("certificate verify failed")
                }
            }
        )
        #expect(try wrong.requestsOverTLS(certificates).isEmpty)
    }

    @Test(arguments: ["missing.pem", "garbage.pem"])
    func anUnusableCABundleIsAStartUpError(bundle: String) throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates.make(in: directory)
        let process = try ManagedProcess(
            product: "maas-proxy",
            arguments: [
                "serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--models", directory.path,
                "--ca-bundle", certificates.path(bundle),
            ]
        )
        #expect(process.waitForExit() == 1)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(process.errorOutput.joined(separator: "\n").contains(bundle))
    }
}

extension FakeBackend {
    /// `/_fake/requests` of a TLS backend, asked with curl trusting the test CA.
    func requestsOverTLS(_ certificates: TestCertificates) throws -> [[String: Any]] {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sk", "https://127.0.0.1:\(port)/_fake/requests"]
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? [])
            .filter { ($0["uri"] as? String)?.hasSuffix("/v1/models") == true }
    }
}
