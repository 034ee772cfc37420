import Foundation
import Testing

/// The Kubernetes source (SPEC 1) end to end: the proxy binary with a kubeconfig pointing at
/// `fake-kube-apiserver` over TLS, objects changed through the fake's control API, and the
/// catalog checked through `GET /v1/models` and forwarded calls after each step.
@Suite(.serialized)
struct KubernetesSourceLiveTests {
    struct Setup {
        let directory: URL
        let apiServer: ManagedProcess
        let apiPort: Int
        let backend: FakeBackend
        let tokenFile: URL
        let modelsDirectory: URL
        let configuration: URL

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }

        func control(_ method: String, _ path: String, _ body: String = "") throws -> RawResponse {
            let (status, text) = try ListenerTLSLiveTests.run(
                "/usr/bin/curl",
                [
                    "-sk", "-X", method, "-w", "\n%{http_code}", "--data-binary", body,
                    "https://127.0.0.1:\(apiPort)\(path)",
                ]
            )
            guard status == 0, let newline = text.lastIndex(of: "\n"),
                let code = Int(text[text.index(after: newline)...])
            else { throw RawHTTPError.malformed("curl \(status): \(text)") }
            return RawResponse(status: code, headers: [], body: Array(text[..<newline].utf8))
        }

        func stats() throws -> [String: Any] {
            try control("GET", "/_fake/stats").json() as? [String: Any] ?? [:]
        }

        /// List requests for one resource (`maasmodels`, `maasmodelrefs`), every page counted.
        func lists(_ resource: String = "maasmodels") throws -> Int {
            (try stats()["lists_by_resource"] as? [String: Any])?[resource] as? Int ?? 0
        }

        /// Creates or replaces a MaaSModel (or another `kind`) in the fake API server.
        func put(
            _ name: String,
            kind: String = "MaaSModel",
            namespace: String = "team-k",
            phase: String = "Ready",
            prefix: String
        ) throws {
            let object = """
                {"apiVersion":"maas.opendatahub.io/v1alpha1","kind":"\(kind)",\
                "metadata":{"name":"\(name)","namespace":"\(namespace)"},\
                "spec":{"modelRef":{"kind":"LLMInferenceService","name":"\(name)"}},\
                "status":{"phase":"\(phase)","endpoint":"\(backend.baseURL)\(prefix)"}}
                """
            #expect(try control("POST", "/_fake/objects", object).status < 300)
        }

        func delete(_ name: String, resource: String = "maasmodels", namespace: String = "team-k") throws {
            #expect(try control("DELETE", "/_fake/objects/\(resource)/\(namespace)/\(name)").status < 300)
        }

        func startProxy() throws -> RunningProxy {
            try LiveHarness.startProxy(arguments: ["--config", configuration.path])
        }
    }

    /// A TLS fake API server accepting `token`, a fake model backend, a kubeconfig with a token
    /// file, and a proxy configuration with both the file and the Kubernetes source.
    ///
    /// - Parameter resources: what the fake API server serves (`--resources`); the others answer 404.
    static func prepare(
        token: String = "token-1",
        namespaces: [String] = [],
        resources: String = "maasmodels,maasmodelrefs"
    ) throws -> Setup {
        let directory = try LiveHarness.temporaryDirectory()
        let certificates = try TestCertificates.make(in: directory)
        let apiServer = try ManagedProcess(
            product: "fake-kube-apiserver",
            arguments: [
                "--listen", "127.0.0.1:0", "--tls-cert", certificates.path("good.pem"), "--tls-key",
                certificates.path("good.key"), "--token", token, "--resources", resources,
            ]
        )
        guard let line = apiServer.waitForLine(where: { $0.hasPrefix("listening ") }),
            let apiPort = line.split(separator: ":").last.flatMap({ Int($0) })
        else { throw LiveHarnessError.didNotStart("fake-kube-apiserver", apiServer.errorOutput) }
        let backend = try LiveHarness.startBackend(config: ForwardingFixture.backendConfig, in: directory)
        let tokenFile = directory.appendingPathComponent("token")
        try token.write(to: tokenFile, atomically: true, encoding: .utf8)
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        try """
        apiVersion: v1
        kind: Config
        current-context: test
        contexts:
        - name: test
          context: {cluster: fake, user: proxy}
        clusters:
        - name: fake
          cluster: {server: "https://127.0.0.1:\(apiPort)", certificate-authority: ca.pem}
        users:
        - name: proxy
          user: {tokenFile: token}
        """.write(to: kubeconfig, atomically: true, encoding: .utf8)
        let modelsDirectory = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: modelsDirectory, withIntermediateDirectories: true)
        let configuration = directory.appendingPathComponent("maas-proxy.yaml")
        let namespaceList = namespaces.map { "\"\($0)\"" }.joined(separator: ", ")
        try """
        models:
          paths: ["\(modelsDirectory.path)"]
          kubernetes:
            enabled: true
            kubeconfig: "\(kubeconfig.path)"
            namespaces: [\(namespaceList)]
        """.write(to: configuration, atomically: true, encoding: .utf8)
        return Setup(
            directory: directory,
            apiServer: apiServer,
            apiPort: apiPort,
            backend: backend,
            tokenFile: tokenFile,
            modelsDirectory: modelsDirectory,
            configuration: configuration
        )
    }

    @Test func addModifyAndDeleteAreSeenOnTheNextRequests() throws {
        let setup = try Self.prepare()
        defer { setup.cleanUp() }
        try setup.put("alpha", prefix: "/llm/alpha")
        let proxy = try setup.startProxy()
        #expect(try eventually(timeout: .seconds(3)) { try proxy.listedIDs(token: "Bearer alice") == ["alpha-1"] })

        try setup.put("beta", prefix: "/llm/beta")
        #expect(
            try eventually(timeout: .seconds(1)) {
                try proxy.listedIDs(token: "Bearer alice") == ["alpha-1", "shared"]
            }
        )

        // A phase change takes effect on the next forwarded call.
        try setup.put("alpha", phase: "Pending", prefix: "/llm/alpha")
        #expect(
            try eventually(timeout: .seconds(1)) {
                try RawHTTPClient(port: proxy.port).request(
                    "POST",
                    "/llm/alpha/v1/chat/completions",
                    headers: [("Authorization", "Bearer alice")],
                    body: ForwardingFixture.chat(model: "alpha-1")
                ).errorCode == "model_not_ready"
            }
        )
        try setup.delete("beta")
        #expect(try eventually(timeout: .seconds(1)) { try proxy.listedIDs(token: "Bearer bob").isEmpty })
        // An endpoint change too: alpha moves to a prefix bob may use (a new endpoint, a new decision).
        try setup.put("alpha", prefix: "/llm/beta")
        #expect(try eventually(timeout: .seconds(1)) { try proxy.listedIDs(token: "Bearer bob") == ["shared"] })

        try setup.delete("alpha")
        #expect(try eventually(timeout: .seconds(1)) { try proxy.listedIDs(token: "Bearer alice").isEmpty })
        #expect(try setup.lists() == 1)
        #expect(try setup.lists("maasmodelrefs") == 1)
    }

    @Test func aDroppedWatchResumesWithoutARelistAndA410Relists() throws {
        let setup = try Self.prepare()
        defer { setup.cleanUp() }
        try setup.put("alpha", prefix: "/llm/alpha")
        let proxy = try setup.startProxy()
        #expect(try eventually(timeout: .seconds(3)) { try proxy.listedIDs(token: "Bearer alice") == ["alpha-1"] })

        #expect(try setup.control("POST", "/_fake/drop-watches").status < 300)
        try setup.put("beta", prefix: "/llm/beta")
        #expect(
            try eventually(timeout: .seconds(3)) {
                try proxy.listedIDs(token: "Bearer alice") == ["alpha-1", "shared"]
            }
        )
        #expect(try setup.lists() == 1)
        #expect((try setup.stats()["watches"] as? Int ?? 0) >= 2)

        // Compaction while the watch is down: resuming from the old version gets 410, so a relist.
        #expect(try setup.control("POST", "/_fake/compact").status < 300)
        #expect(try setup.control("POST", "/_fake/drop-watches").status < 300)
        try setup.delete("alpha")
        #expect(try eventually(timeout: .seconds(4)) { try proxy.listedIDs(token: "Bearer alice") == ["shared"] })
        #expect(try eventually(timeout: .seconds(2)) { try setup.lists() == 2 })
    }

    @Test func aRotatedTokenIsReadOnReconnect() throws {
        let setup = try Self.prepare()
        defer { setup.cleanUp() }
        let proxy = try setup.startProxy()
        #expect(try eventually(timeout: .seconds(3)) { try proxy.listedIDs(token: "Bearer alice").isEmpty })
        try "token-2".write(to: setup.tokenFile, atomically: true, encoding: .utf8)
        #expect(try setup.control("POST", "/_fake/token", "token-2").status < 300)
        #expect(try setup.control("POST", "/_fake/drop-watches").status < 300)
        try setup.put("alpha", prefix: "/llm/alpha")
        #expect(try eventually(timeout: .seconds(4)) { try proxy.listedIDs(token: "Bearer alice") == ["alpha-1"] })
    }

    @Test func notReadyUntilTheFirstListThenKubernetesWinsOverFiles() throws {
        let setup = try Self.prepare(token: "right")
        defer { setup.cleanUp() }
        try "wrong".write(to: setup.tokenFile, atomically: true, encoding: .utf8)
        // The same identity in a file, pointing elsewhere: the Kubernetes copy must win.
        try """
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata: {name: alpha, namespace: team-k}
        spec: {modelRef: {kind: LLMInferenceService, name: alpha}}
        status: {phase: Ready, endpoint: "\(setup.backend.baseURL)/llm/beta"}
        """.write(to: setup.modelsDirectory.appendingPathComponent("alpha.yaml"), atomically: true, encoding: .utf8)
        try setup.put("alpha", prefix: "/llm/alpha")
        let proxy = try setup.startProxy()
        let readyz = { try RawHTTPClient(port: proxy.adminPort).request("GET", "/readyz").status }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try readyz() == 503)
        #expect(
            try proxy.get("/v1/models", headers: [("Authorization", "Bearer alice")]).errorCode == "catalog_not_loaded"
        )
        try "right".write(to: setup.tokenFile, atomically: true, encoding: .utf8)
        #expect(try eventually(timeout: .seconds(5)) { try readyz() == 200 })
        #expect(try proxy.listedIDs(token: "Bearer alice") == ["alpha-1"])
        #expect(proxy.process.settledOutput().contains { $0.contains("kubernetes list applied") })
    }

    @Test func maasModelRefsAreWatchedAndWinOverMaaSModelsOfTheSameIdentity() throws {
        let setup = try Self.prepare()
        defer { setup.cleanUp() }
        // One identity twice: the MaaSModel points at bob's and alice's "shared", the MaaSModelRef at alice's alpha-1.
        try setup.put("alpha", prefix: "/llm/beta")
        try setup.put("alpha", kind: "MaaSModelRef", prefix: "/llm/alpha")
        let proxy = try setup.startProxy()
        #expect(try eventually(timeout: .seconds(3)) { try proxy.listedIDs(token: "Bearer alice") == ["alpha-1"] })
        #expect(try proxy.listedIDs(token: "Bearer bob").isEmpty)
        let overlap = {
            proxy.process.output.filter { $0.contains("MaaSModel and MaaSModelRef define the same models") }
        }
        #expect(overlap().count == 1)
        #expect(overlap().first?.contains("team-k/alpha") == true)

        // A MaaSModelRef of its own is watched like a MaaSModel.
        try setup.put("gamma", kind: "MaaSModelRef", prefix: "/llm/beta")
        #expect(
            try eventually(timeout: .seconds(2)) { try proxy.listedIDs(token: "Bearer bob") == ["shared"] }
        )
        // The MaaSModelRef goes: the MaaSModel of that identity is the model again; the overlap clears.
        try setup.delete("alpha", resource: "maasmodelrefs")
        #expect(
            try eventually(timeout: .seconds(2)) {
                try proxy.listedIDs(token: "Bearer alice") == ["shared", "shared"]
            }
        )
        #expect(
            eventually(timeout: .seconds(2)) {
                proxy.process.output.contains {
                    $0.contains("no model is defined by both a MaaSModel and a MaaSModelRef")
                }
            }
        )
        #expect(overlap().count == 1)
        #expect(try setup.lists() == 1 && setup.lists("maasmodelrefs") == 1)
    }

    @Test func aMissingMaaSModelRefResourceIsLoggedOnceAndDoesNotHoldBackReadiness() throws {
        let setup = try Self.prepare(resources: "maasmodels")
        defer { setup.cleanUp() }
        try setup.put("alpha", prefix: "/llm/alpha")
        let proxy = try setup.startProxy()
        #expect(
            try eventually(timeout: .seconds(3)) {
                try RawHTTPClient(port: proxy.adminPort).request("GET", "/readyz").status == 200
            }
        )
        #expect(try proxy.listedIDs(token: "Bearer alice") == ["alpha-1"])
        try setup.put("beta", prefix: "/llm/beta")
        #expect(
            try eventually(timeout: .seconds(2)) {
                try proxy.listedIDs(token: "Bearer alice") == ["alpha-1", "shared"]
            }
        )
        // SIGHUP lists again: still one line about the missing resource, and no error or retry warning.
        proxy.process.signal(SIGHUP)
        #expect(
            eventually(timeout: .seconds(3)) {
                proxy.process.output.filter { $0.contains("kubernetes list applied") }.count >= 2
            }
        )
        let absent = proxy.process.output.filter { $0.contains("kubernetes resource not served") }
        #expect(absent.count == 1)
        #expect(absent.first?.contains("maasmodelrefs") == true)
        #expect(!proxy.process.output.contains { $0.contains("kubernetes source retrying") })
        #expect(!proxy.process.output.contains { $0.contains(#""level":"error""#) })
        #expect(try setup.lists("maasmodelrefs") == 0)
        // The fake refuses what it does not serve, as the API server would.
        #expect(
            try setup.control(
                "POST",
                "/_fake/objects",
                #"{"kind":"MaaSModelRef","metadata":{"name":"x"},"spec":{"modelRef":{"name":"x"}}}"#
            ).status == 400
        )
    }
}
