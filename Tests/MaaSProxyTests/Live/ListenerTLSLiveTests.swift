import Foundation
import Testing

/// The proxy as a TLS endpoint (SPEC 6, issue 4): reached with curl and openssl, certificates
/// rotated on disk, bad files refused at start-up, and TLS on both hops with a stream.
@Suite(.serialized)
struct ListenerTLSLiveTests {
    /// Runs a command; returns its exit status and standard output.
    static func run(_ executable: String, _ arguments: [String], input: String = "") throws -> (Int32, String) {
        let process = Process()
        let output = Pipe()
        let stdin = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The serial of the certificate a fresh TLS connection to `port` is shown.
    static func servedSerial(port: Int) throws -> String {
        let (_, chain) = try run(
            "/usr/bin/openssl",
            ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost"]
        )
        return try run("/usr/bin/openssl", ["x509", "-noout", "-serial"], input: chain).1
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func serial(of file: String) throws -> String {
        try run("/usr/bin/openssl", ["x509", "-noout", "-serial", "-in", file]).1
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Setup {
        let directory: URL
        let certificates: TestCertificates
        let listenerCertificate: URL
        let listenerKey: URL
    }

    /// Certificates, plus a copy of the good pair where the proxy reads its listener certificate.
    static func prepare() throws -> Setup {
        let directory = try LiveHarness.temporaryDirectory()
        let certificates = try TestCertificates.make(in: directory)
        let certificate = directory.appendingPathComponent("listener.pem")
        let key = directory.appendingPathComponent("listener.key")
        try FileManager.default.copyItem(atPath: certificates.path("good.pem"), toPath: certificate.path)
        try FileManager.default.copyItem(atPath: certificates.path("good.key"), toPath: key.path)
        return Setup(
            directory: directory,
            certificates: certificates,
            listenerCertificate: certificate,
            listenerKey: key
        )
    }

    @Test func listenerSpeaksTLSAndForwardsWithHTTPSAsTheForwardedProto() throws {
        let setup = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let backend = try LiveHarness.startBackend(config: ForwardingFixture.backendConfig, in: setup.directory)
        let models = setup.directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try ForwardingFixture.manifest(port: backend.port)
            .write(to: models.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let proxy = try LiveHarness.startProxy(arguments: [
            "--models", models.path, "--tls-cert", setup.listenerCertificate.path, "--tls-key", setup.listenerKey.path,
        ])
        let (status, body) = try Self.run(
            "/usr/bin/curl",
            [
                "-sS", "--cacert", setup.certificates.path("ca.pem"), "-H", "Authorization: Bearer alice",
                "-w", "\n%{http_code} %{ssl_verify_result}", "https://localhost:\(proxy.port)/v1/models",
            ]
        )
        #expect(status == 0)
        #expect(body.hasSuffix("\n200 0"), "\(body)")
        #expect(body.contains("\"alpha-1\""))
        let (_, forwarded) = try Self.run(
            "/usr/bin/curl",
            [
                "-sS", "--cacert", setup.certificates.path("ca.pem"), "-H", "Authorization: Bearer alice",
                "-d", #"{"model":"alpha-1","messages":[]}"#, "https://127.0.0.1:\(proxy.port)/v1/chat/completions",
            ]
        )
        #expect(forwarded.contains("chat.completion"))
        let seen = try #require(
            try backend.requests().first { ($0["uri"] as? String)?.hasSuffix("/completions") == true }
        )
        #expect(recordedHeader(seen, "X-Forwarded-Proto") == "https")
        // Plain HTTP on the TLS port gets no answer a client could mistake for one.
        #expect(throws: (any Error).self) {
            _ = try RawHTTPClient(port: proxy.port, timeoutSeconds: 2).request("GET", "/v1/models")
        }
    }

    @Test func aCertificateRotatedOnDiskIsServedToTheNextConnection() throws {
        let setup = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let proxy = try LiveHarness.startProxy(arguments: [
            "--models", setup.directory.path, "--tls-cert", setup.listenerCertificate.path,
            "--tls-key", setup.listenerKey.path,
        ])
        let before = try Self.serial(of: setup.certificates.path("good.pem"))
        let after = try Self.serial(of: setup.certificates.path("rotated.pem"))
        #expect(before != after)
        #expect(try Self.servedSerial(port: proxy.port) == before)
        // cert-manager style: new files renamed into place.
        for (source, target) in [("rotated.pem", setup.listenerCertificate), ("rotated.key", setup.listenerKey)] {
            let staging = target.appendingPathExtension("new")
            try FileManager.default.copyItem(atPath: setup.certificates.path(source), toPath: staging.path)
            _ = rename(staging.path, target.path)
        }
        #expect(try eventually(timeout: .seconds(4)) { try Self.servedSerial(port: proxy.port) == after })
        #expect(proxy.process.settledOutput().contains { $0.contains("listener certificate reloaded") })
    }

    @Test(arguments: [
        ("missing.pem", "good.key", "missing.pem"), ("good.pem", "wronghost.key", "wronghost.key"),
        ("garbage.pem", "good.key", "garbage.pem"),
    ])
    func unusableCertificateOrKeyIsAStartUpErrorNamingTheFile(certificate: String, key: String, named: String) throws {
        let setup = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let result = try CommandLineLiveTests.run([
            "serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--models", setup.directory.path,
            "--tls-cert", setup.certificates.path(certificate), "--tls-key", setup.certificates.path(key),
        ])
        #expect(result.status != 0 && result.status != nil)
        #expect(result.errors.joined(separator: "\n").contains(named), "\(result.errors)")
    }

    @Test func tlsOnBothHopsRelaysAStream() throws {
        let setup = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let config = setup.directory.appendingPathComponent("backend.yaml")
        try ForwardingFixture.backendConfig.write(to: config, atomically: true, encoding: .utf8)
        let process = try ManagedProcess(
            product: "fake-model-server",
            arguments: [
                "--listen", "127.0.0.1:0", "--config", config.path, "--tls-cert", setup.certificates.path("good.pem"),
                "--tls-key", setup.certificates.path("good.key"),
            ]
        )
        guard let line = process.waitForLine(where: { $0.hasPrefix("listening ") }),
            let backendPort = line.split(separator: ":").last.flatMap({ Int($0) })
        else { throw LiveHarnessError.didNotStart("fake-model-server", process.errorOutput) }
        let models = setup.directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try ForwardingFixture.manifest(port: backendPort).replacingOccurrences(
            of: "http://127.0.0.1",
            with: "https://127.0.0.1"
        )
        .write(to: models.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let proxy = try LiveHarness.startProxy(arguments: [
            "--models", models.path, "--ca-bundle", setup.certificates.path("ca.pem"),
            "--tls-cert", setup.listenerCertificate.path, "--tls-key", setup.listenerKey.path,
        ])
        let started = Date()
        let (status, body) = try Self.run(
            "/usr/bin/curl",
            [
                "-sSN", "--cacert", setup.certificates.path("ca.pem"), "-H", "Authorization: Bearer alice",
                "-d", #"{"model":"alpha-1","stream":true,"n_chunks":4,"chunk_interval_ms":150}"#,
                "https://localhost:\(proxy.port)/llm/alpha/v1/chat/completions",
            ]
        )
        #expect(status == 0)
        #expect(body.components(separatedBy: "data: {").count - 1 == 4)
        #expect(body.hasSuffix("data: [DONE]\n\n"))
        #expect(Date().timeIntervalSince(started) >= 0.45)
        withExtendedLifetime(process) {}
    }
}
