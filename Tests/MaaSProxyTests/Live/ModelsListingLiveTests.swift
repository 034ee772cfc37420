import Foundation
import Testing

/// `GET /v1/models` end to end: the built proxy binary against fake-model-server processes (SPEC 3, 4).
@Suite(.serialized)
struct ModelsListingLiveTests {
    static let backendConfig = """
        models:
          - prefix: /llm/alpha
            ids: [alpha-1, alpha-2]
            created: 1700000000
            tokens:
              "Bearer alice": {status: 200}
              "Bearer bob": {status: 403}
            default: {status: 401}
          - prefix: /llm/beta
            ids: [beta]
            tokens:
              "Bearer alice": {status: 405}
              "Bearer bob": {status: 200}
            default: {status: 401}
          - prefix: /llm/gamma
            ids: [gamma]
            tokens:
              "Bearer alice": {status: 404}
              "Bearer bob": {status: 200, ids: []}
            default: {status: 401}
        """

    static func manifest(port: Int) -> String {
        """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: maas.opendatahub.io/v1alpha1
          kind: MaaSModel
          metadata:
            name: alpha
            namespace: team-a
            creationTimestamp: "2026-02-27T15:04:05Z"
            annotations:
              openshift.io/display-name: Alpha
          spec:
            modelRef: {kind: LLMInferenceService, name: alpha}
          status: {phase: Ready, endpoint: "http://127.0.0.1:\(port)/llm/alpha"}
        - apiVersion: maas.opendatahub.io/v1alpha1
          kind: MaaSModel
          metadata: {name: beta, namespace: team-b}
          spec:
            modelRef: {kind: llmisvc, name: beta}
          status: {phase: Pending, endpoint: "http://127.0.0.1:\(port)/llm/beta"}
        - apiVersion: maas.opendatahub.io/v1alpha1
          kind: MaaSModel
          metadata: {name: gamma, namespace: team-b}
          spec:
            modelRef: {name: gamma}
          status: {phase: Ready, endpoint: "http://127.0.0.1:\(port)/llm/gamma"}
        - apiVersion: maas.opendatahub.io/v1alpha1
          kind: MaaSModel
          metadata: {name: gpt-4o, namespace: external}
          spec:
            modelRef: {kind: ExternalModel, name: gpt-4o}
          status: {phase: Ready, endpoint: "http://127.0.0.1:\(port)/external/gpt-4o"}
        - apiVersion: maas.opendatahub.io/v1alpha1
          kind: MaaSModel
          metadata: {name: mystery, namespace: team-b}
          spec:
            modelRef: {kind: UnknownKind, name: mystery}
          status: {phase: Ready, endpoint: "http://127.0.0.1:\(port)/llm/mystery"}
        """
    }

    struct Setup {
        let directory: URL
        let backend: FakeBackend
        let proxy: RunningProxy
        let modelsFile: URL
    }

    static func start() throws -> Setup {
        let directory = try LiveHarness.temporaryDirectory()
        let backend = try LiveHarness.startBackend(config: backendConfig, in: directory)
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        let modelsFile = models.appendingPathComponent("catalog.yaml")
        try manifest(port: backend.port).write(to: modelsFile, atomically: true, encoding: .utf8)
        let proxy = try LiveHarness.startProxy(arguments: ["--models", models.path])
        return Setup(directory: directory, backend: backend, proxy: proxy, modelsFile: modelsFile)
    }

    @Test func missingAuthorizationIs401WithoutContactingBackends() throws {
        let setup = try Self.start()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        for headers in [[], [("Authorization", "   ")]] as [[(String, String)]] {
            let response = try setup.proxy.get("/v1/models", headers: headers)
            #expect(response.status == 401)
            #expect(
                response.bodyText == #"{"error":{"message":"Authorization required","type":"authentication_error"}}"#
            )
            #expect(response.header("Cache-Control") == "no-store")
        }
        #expect(try setup.backend.probes().isEmpty)
    }

    @Test func eachTokenSeesExactlyItsModels() throws {
        let setup = try Self.start()
        defer { try? FileManager.default.removeItem(at: setup.directory) }

        let alice = try setup.proxy.get("/v1/models", headers: [("Authorization", "Bearer alice")])
        #expect(alice.status == 200)
        #expect(alice.header("Cache-Control") == "no-store")
        #expect(alice.header("Content-Type") == "application/json")
        let checkedAt = try #require(alice.header("X-Access-Checked-At"))
        #expect(checkedAt.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil)
        let object = try #require(try alice.json() as? [String: Any])
        #expect(object["object"] as? String == "list")
        let data = try #require(object["data"] as? [[String: Any]])
        // alpha: two served ids; beta: 405 → metadata.name; gamma: 404 → denied; external listed; unknown kind never.
        #expect(data.compactMap { $0["id"] as? String } == ["alpha-1", "alpha-2", "beta", "gpt-4o"])
        let alpha = try #require(data.first)
        #expect(alpha["object"] as? String == "model")
        #expect(alpha["created"] as? Int == 1_700_000_000)
        #expect(alpha["owned_by"] as? String == "team-a")
        #expect(alpha["kind"] as? String == "LLMInferenceService")
        #expect(alpha["url"] as? String == "\(setup.backend.baseURL)/llm/alpha")
        #expect(alpha["ready"] as? Bool == true)
        #expect((alpha["modelDetails"] as? [String: Any])?["displayName"] as? String == "Alpha")
        let beta = try #require(data.first { $0["id"] as? String == "beta" })
        #expect(beta["ready"] as? Bool == false)
        #expect(beta["kind"] as? String == "llmisvc")
        #expect(beta["modelDetails"] == nil)

        // bob: alpha 403; beta 200; gamma 200 with data [] → metadata.name.
        #expect(try setup.proxy.listedIDs(token: "Bearer bob") == ["beta", "gamma", "gpt-4o"])
        // Anyone else: every backend says 401; only the ExternalModel remains.
        #expect(try setup.proxy.listedIDs(token: "Bearer mallory") == ["gpt-4o"])
        // The unknown kind and the ExternalModel are never contacted.
        let uris = try setup.backend.probes().compactMap { $0["uri"] as? String }
        #expect(!uris.contains { $0.contains("mystery") || $0.contains("external") })
    }

    @Test func probeCarriesExactlyTheSpecifiedHeaders() throws {
        let setup = try Self.start()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        _ = try setup.proxy.get(
            "/v1/models",
            headers: [
                ("Authorization", "  Bearer alice \t"), ("X-MaaS-Subscription", "free"),
                ("X-MaaS-Subscription", "premium"), ("X-MaaS-Subscription", " "), ("Cookie", "secret=1"),
                ("X-Other", "leak"),
            ]
        )
        let probe = try #require(try setup.backend.probes().first { ($0["uri"] as? String) == "/llm/alpha/v1/models" })
        #expect(probe["method"] as? String == "GET")
        let headers = (probe["headers"] as? [[String]] ?? []).map { ($0[0], $0[1]) }
        let names = headers.map { $0.0.lowercased() }
        #expect(names.sorted() == ["accept", "authorization", "host", "user-agent", "x-maas-subscription"])
        #expect(headers.first { $0.0.lowercased() == "authorization" }?.1 == "Bearer alice")
        #expect(headers.first { $0.0.lowercased() == "x-maas-subscription" }?.1 == "premium")
        #expect(headers.first { $0.0.lowercased() == "accept" }?.1 == "application/json")
        #expect(headers.first { $0.0.lowercased() == "user-agent" }?.1.hasPrefix("maas-proxy/") == true)
        #expect(headers.first { $0.0.lowercased() == "host" }?.1 == "127.0.0.1:\(setup.backend.port)")
        #expect((probe["body"] as? String ?? "").isEmpty)
    }

    @Test func decisionsAreCachedAndNoCacheForcesAFreshProbe() throws {
        let setup = try Self.start()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        _ = try setup.proxy.listedIDs(token: "Bearer alice")
        let first = try setup.backend.probes().count
        #expect(first == 3)  // alpha, beta, gamma; not the ExternalModel nor the unknown kind
        _ = try setup.proxy.listedIDs(token: "Bearer alice")
        #expect(try setup.backend.probes().count == first)
        _ = try setup.proxy.listedIDs(token: "Bearer alice", extraHeaders: [("Cache-Control", "no-cache")])
        #expect(try setup.backend.probes().count == first * 2)
        // Another subscription is another decision.
        _ = try setup.proxy.listedIDs(token: "Bearer alice", extraHeaders: [("X-MaaS-Subscription", "gold")])
        #expect(try setup.backend.probes().count == first * 3)
    }

    @Test func brokenManifestKeepsLastGoodContentsAndNewFilesArePickedUp() throws {
        let setup = try Self.start()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        #expect(try setup.proxy.listedIDs(token: "Bearer bob") == ["beta", "gamma", "gpt-4o"])

        try "kind: [this is: not yaml".write(to: setup.modelsFile, atomically: true, encoding: .utf8)
        let extra = setup.modelsFile.deletingLastPathComponent().appendingPathComponent("extra.yaml")
        try """
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata: {name: delta, namespace: team-d}
        spec: {modelRef: {kind: ExternalModel, name: delta}}
        status: {phase: Ready, endpoint: "http://127.0.0.1:1/delta"}
        """.write(to: extra, atomically: true, encoding: .utf8)
        // Polling picks the change up within 2 s (SPEC 1); the broken file keeps its models.
        #expect(
            try eventually(timeout: .seconds(3)) {
                try setup.proxy.listedIDs(token: "Bearer bob") == ["beta", "delta", "gamma", "gpt-4o"]
            }
        )

        try FileManager.default.removeItem(at: extra)
        setup.proxy.process.signal(SIGHUP)
        #expect(
            try eventually(timeout: .seconds(1)) {
                try setup.proxy.listedIDs(token: "Bearer bob") == ["beta", "gamma", "gpt-4o"]
            }
        )
    }

    @Test func adminListenerReportsHealthAndReadiness() throws {
        let setup = try Self.start()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        #expect(try RawHTTPClient(port: setup.proxy.adminPort).request("GET", "/healthz").status == 200)
        #expect(try RawHTTPClient(port: setup.proxy.adminPort).request("GET", "/readyz").status == 200)
    }

    @Test func metricsCountRequestsProbesCacheLookupsAndCatalog() throws {
        let setup = try Self.start()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        _ = try setup.proxy.listedIDs(token: "Bearer alice")
        _ = try setup.proxy.listedIDs(token: "Bearer alice")
        _ = try setup.proxy.listedIDs(token: nil)
        let scrape = try RawHTTPClient(port: setup.proxy.adminPort).request("GET", "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let lines = Set(scrape.bodyText.split(separator: "\n").map(String.init))
        #expect(lines.contains(#"maas_proxy_requests_total{route="models",model="none",status="200"} 2"#))
        #expect(lines.contains(#"maas_proxy_requests_total{route="models",model="none",status="401"} 1"#))
        #expect(lines.contains(#"maas_proxy_probes_total{kind="LLMInferenceService",outcome="granted"} 1"#))
        #expect(lines.contains(#"maas_proxy_probes_total{kind="llmisvc",outcome="granted"} 1"#))
        #expect(lines.contains(#"maas_proxy_probes_total{kind="llmisvc",outcome="denied"} 1"#))
        #expect(lines.contains(#"maas_proxy_decision_cache_lookups_total{result="miss"} 3"#))
        #expect(lines.contains(#"maas_proxy_decision_cache_lookups_total{result="hit"} 3"#))
        #expect(lines.contains("maas_proxy_decision_cache_entries 3.0"))
        #expect(lines.contains(#"maas_proxy_catalog_models{phase="Ready"} 4.0"#))
        #expect(lines.contains(#"maas_proxy_catalog_models{phase="Pending"} 1.0"#))
        #expect(
            lines.contains { $0.hasPrefix(#"maas_proxy_request_duration_seconds_bucket{route="models",le="0.001"}"#) }
        )
        // A second scrape does not count the cache lookups again.
        let again = try RawHTTPClient(port: setup.proxy.adminPort).request("GET", "/metrics").bodyText
        #expect(again.contains(#"maas_proxy_decision_cache_lookups_total{result="hit"} 3"#))
    }

    @Test func sigtermExitsCleanly() throws {
        let setup = try Self.start()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        setup.proxy.process.signal(SIGTERM)
        #expect(setup.proxy.process.waitForExit() == 0)
    }
}
