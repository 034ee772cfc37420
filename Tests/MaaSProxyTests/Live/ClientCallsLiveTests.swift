import Foundation
import Testing

/// What real OpenAI clients and gateways in front of real servers showed (issue 12): per-caller
/// served ids (SPEC 3.2, 5.1), 4xx probes denied without retries (SPEC 3.2), `GET /v1/models/{id}`
/// (SPEC 3.6), `listing.url` and `max_model_len` (SPEC 3.3).
@Suite(.serialized)
struct ClientCallsLiveTests {
    /// One gateway-like backend that lists different ids per key (as LiteLLM's virtual keys do),
    /// answers unknown keys 400 (as stock LiteLLM does), and a second model serving one shared id.
    static let backendConfig = """
        models:
          - prefix: /llm/gw
            ids: [unused]
            tokens:
              "Bearer alice": {status: 200, ids: [solo, mock-gpt, org/model-x]}
              "Bearer bob": {status: 200, ids: [mock-gpt-mini]}
            default: {status: 400}
          - prefix: /llm/gw2
            ids: [mock-gpt]
            tokens:
              "Bearer alice": {status: 200}
              "Bearer bob": {status: 403}
            default: {status: 400}
          - prefix: /llm/vllm
            ids: [vllm-x]
            tokens:
              "Bearer alice": {status: 200, body: '{"object":"list","data":[{"id":"vllm-x","object":"model","max_model_len":2048},{"id":"vllm-y","max_model_len":"big"}]}'}
            default: {status: 401}
        """

    static func manifest(port: Int) -> String {
        let base = "http://127.0.0.1:\(port)"
        return "apiVersion: v1\nkind: List\nitems:\n"
            + [("gw", "team-a"), ("gw2", "team-b"), ("vllm", "team-c")].map { name, namespace in
                """
                - apiVersion: maas.opendatahub.io/v1alpha1
                  kind: MaaSModel
                  metadata: {name: \(name), namespace: \(namespace)}
                  spec: {modelRef: {kind: LLMInferenceService, name: \(name)}}
                  status: {phase: Ready, endpoint: "\(base)/llm/\(name)"}
                """
            }.joined(separator: "\n")
    }

    struct Fixture {
        let directory: URL
        let backend: FakeBackend
        let proxy: RunningProxy

        /// - Parameter extraModels: YAML documents appended to the catalog (`\(base)` stands for the backend URL).
        static func start(configuration: String = "", extraModels: String = "") throws -> Fixture {
            let directory = try LiveHarness.temporaryDirectory()
            let backend = try LiveHarness.startBackend(config: ClientCallsLiveTests.backendConfig, in: directory)
            let models = directory.appendingPathComponent("catalog.yaml")
            let extra = extraModels.replacingOccurrences(of: "\\(base)", with: backend.baseURL)
            try (ClientCallsLiveTests.manifest(port: backend.port) + (extra.isEmpty ? "" : "\n---\n" + extra))
                .write(to: models, atomically: true, encoding: .utf8)
            var arguments = ["--models", models.path, "--workers", "1"]
            if !configuration.isEmpty {
                let file = directory.appendingPathComponent("maas-proxy.yaml")
                try configuration.write(to: file, atomically: true, encoding: .utf8)
                arguments += ["--config", file.path]
            }
            let proxy = try LiveHarness.startProxy(arguments: arguments)
            return Fixture(directory: directory, backend: backend, proxy: proxy)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }

        func chat(_ model: String, as token: String) throws -> RawResponse {
            try RawHTTPClient(port: proxy.port).request(
                "POST",
                "/v1/chat/completions",
                headers: [("Authorization", token), ("Content-Type", "application/json")],
                body: Array(#"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}]}"#.utf8)
            )
        }

        func retrieve(_ id: String, as token: String?) throws -> RawResponse {
            try proxy.get("/v1/models/\(id)", headers: token.map { [("Authorization", $0)] } ?? [])
        }

        /// The backend paths that inference calls reached, in order.
        func inferencePaths() throws -> [String] {
            try backend.requests().compactMap { $0["uri"] as? String }.filter { $0.hasSuffix("/v1/chat/completions") }
        }
    }

    // MARK: Item 1: the ids that route a caller are that caller's own

    @Test func anotherCallersDecisionNeverChangesWhereACallerIsRouted() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        // The sequence that flipped: alice 200, bob 200 on the same backend, alice 404.
        let statuses = try [
            fixture.chat("solo", as: "Bearer alice"),
            fixture.chat("mock-gpt-mini", as: "Bearer bob"),
            fixture.chat("solo", as: "Bearer alice"),
            fixture.chat("mock-gpt-mini", as: "Bearer bob"),
        ].map(\.status)
        #expect(statuses == [200, 200, 200, 200])
        #expect(
            try fixture.inferencePaths() == [
                "/llm/gw/v1/chat/completions", "/llm/gw/v1/chat/completions",
                "/llm/gw/v1/chat/completions", "/llm/gw/v1/chat/completions",
            ]
        )
        // Nobody is routed by ids another caller was served.
        let crossed = try [fixture.chat("mock-gpt-mini", as: "Bearer alice"), fixture.chat("solo", as: "Bearer bob")]
        #expect(crossed.map(\.status) == [404, 404])
        #expect(crossed.map(\.errorCode) == ["model_not_found", "model_not_found"])
    }

    /// A connection keeps its last caller's credential digest (issue 10): callers taking turns on
    /// one keep-alive connection, with and without a subscription, each get their own decision.
    @Test func callersTakingTurnsOnOneConnectionEachGetTheirOwnDecision() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let client = try RawHTTPClient(port: fixture.proxy.port)
        let body = Array(#"{"messages":[{"role":"user","content":"hi"}]}"#.utf8)
        func call(_ token: String, subscription: String? = nil) throws -> Int {
            var headers = [("Authorization", token), ("Content-Type", "application/json")]
            if let subscription { headers.append(("X-MaaS-Subscription", subscription)) }
            return try client.request("POST", "/llm/gw2/v1/chat/completions", headers: headers, body: body).status
        }
        let statuses = try [
            call("Bearer alice"), call("Bearer bob"), call("Bearer alice"), call("Bearer bob"),
            call("Bearer alice", subscription: "team"), call("Bearer bob", subscription: "team"),
            call("Bearer alice"),
        ]
        #expect(statuses == [200, 403, 200, 403, 200, 403, 200])
        // Only alice's calls reached the backend's inference path, all on the one connection.
        #expect(try fixture.inferencePaths() == Array(repeating: "/llm/gw2/v1/chat/completions", count: 4))
    }

    @Test func theAmbiguityRuleHoldsWhateverOtherCallersDid() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let base = fixture.backend.baseURL
        let first = try fixture.chat("mock-gpt", as: "Bearer alice")
        #expect(first.status == 400)
        #expect(first.errorCode == "ambiguous_model")
        let message = ((try first.json() as? [String: Any])?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.hasSuffix(": \(base)/llm/gw, \(base)/llm/gw2"), "\(message)")
        #expect(try fixture.chat("mock-gpt-mini", as: "Bearer bob").status == 200)
        // Before the fix bob's decision replaced gw's ids and alice went to gw2 alone.
        let again = try fixture.chat("mock-gpt", as: "Bearer alice")
        #expect(again.status == 400)
        #expect(again.errorCode == "ambiguous_model")
        #expect(try fixture.inferencePaths() == ["/llm/gw/v1/chat/completions"])
    }

    // MARK: Item 2: a client error from a probe is final

    @Test func aProbeAnswered4xxIsDeniedAtOnceWithoutRetries() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let started = ContinuousClock.now
        #expect(try fixture.proxy.listedIDs(token: "Bearer stranger") == [])
        let elapsed = ContinuousClock.now - started
        // Retries would take at least 100 + 200 + 400 ms.
        #expect(elapsed < .milliseconds(600), "cold listing took \(elapsed)")
        let probes = try fixture.backend.probes().filter { recordedHeader($0, "Authorization") == "Bearer stranger" }
        // One attempt per probed model: gw and gw2 answer 400, vllm 401.
        #expect(probes.count == 3)
        // The denial is cached (10 s): the body-routed call after it needs no probe.
        let call = try fixture.chat("solo", as: "Bearer stranger")
        #expect(call.status == 404)
        #expect(
            try fixture.backend.probes().filter { recordedHeader($0, "Authorization") == "Bearer stranger" }.count == 3
        )
        // Path routing refuses it as any other denial.
        let path = try RawHTTPClient(port: fixture.proxy.port).request(
            "POST",
            "/llm/gw/v1/chat/completions",
            headers: [("Authorization", "Bearer stranger"), ("Content-Type", "application/json")],
            body: Array(#"{"model":"solo"}"#.utf8)
        )
        #expect(path.status == 403)
        #expect(path.errorCode == "model_access_denied")
    }

    // MARK: Item 3: GET /v1/models/{id}

    @Test func retrieveAnswersFromTheCallersOwnListing() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let base = fixture.backend.baseURL
        let solo = try fixture.retrieve("solo", as: "Bearer alice")
        #expect(solo.status == 200)
        #expect(solo.header("Cache-Control") == "no-store")
        #expect(solo.header("Content-Type") == "application/json")
        #expect(solo.header("X-Access-Checked-At")?.hasSuffix("Z") == true)
        let entry = try #require(try solo.json() as? [String: Any])
        #expect(entry["id"] as? String == "solo")
        #expect(entry["object"] as? String == "model")
        #expect(entry["owned_by"] as? String == "team-a")
        #expect(entry["url"] as? String == "\(base)/llm/gw")
        // Several models serve it: the first in listing order (by id, then url).
        let shared = try #require(try fixture.retrieve("mock-gpt", as: "Bearer alice").json() as? [String: Any])
        #expect(shared["url"] as? String == "\(base)/llm/gw")
        // Ids with `/`, as written or percent-encoded.
        for target in ["org/model-x", "org%2Fmodel-x", "org%2fmodel-x"] {
            let response = try fixture.retrieve(target, as: "Bearer alice")
            #expect(response.status == 200, "\(target)")
            #expect((try? response.json() as? [String: Any])?["id"] as? String == "org/model-x")
        }
        // Not in this caller's listing: the same 404 whether it exists for others or not at all.
        for (id, token) in [("solo", "Bearer bob"), ("mock-gpt-mini", "Bearer alice"), ("nope", "Bearer alice")] {
            let response = try fixture.retrieve(id, as: token)
            #expect(response.status == 404, "\(id) for \(token)")
            #expect(response.errorCode == "model_not_found")
            #expect(response.header("Cache-Control") == "no-store")
        }
        let anonymous = try fixture.retrieve("solo", as: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.header("Cache-Control") == "no-store")
        let delete = try RawHTTPClient(port: fixture.proxy.port).request(
            "DELETE",
            "/v1/models/solo",
            headers: [("Authorization", "Bearer alice")]
        )
        #expect(delete.status == 405)
        #expect(delete.header("Allow") == "GET, HEAD")
        // Under a model's route prefix the call is the backend's, as any other path.
        let forwarded = try fixture.proxy.get("/llm/gw/v1/models/solo", headers: [("Authorization", "Bearer alice")])
        #expect(forwarded.header("X-Fake-Backend") == "backend")
        #expect(forwarded.status == 200)
        // The backend's own entry, not the proxy's: vLLM's `owned_by`, no `kind`.
        let backendEntry = try #require(try forwarded.json() as? [String: Any])
        #expect(backendEntry["id"] as? String == "solo")
        #expect(backendEntry["owned_by"] as? String == "vllm")
        #expect(backendEntry["kind"] == nil)
        #expect(try fixture.backend.requests().contains { $0["uri"] as? String == "/llm/gw/v1/models/solo" })
    }

    // MARK: Item 5: the URL a client copies, and max_model_len

    @Test func listingURLProxyNamesTheModelThroughTheProxy() throws {
        let fixture = try Fixture.start(
            configuration: """
                publicURL: "https://maas.example.com/"
                listing:
                  url: proxy
                """
        )
        defer { fixture.cleanUp() }
        let listing = try fixture.proxy.get("/v1/models", headers: [("Authorization", "Bearer alice")])
        let entries = try #require((try listing.json() as? [String: Any])?["data"] as? [[String: Any]])
        let urls = Dictionary(
            entries.map { ($0["id"] as? String ?? "", $0["url"] as? String ?? "") },
            uniquingKeysWith: { first, _ in first }
        )
        #expect(urls["solo"] == "https://maas.example.com/llm/gw")
        #expect(urls["vllm-x"] == "https://maas.example.com/llm/vllm")
        let ambiguous = try fixture.chat("mock-gpt", as: "Bearer alice")
        let message =
            ((try ambiguous.json() as? [String: Any])?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.hasSuffix(": https://maas.example.com/llm/gw, https://maas.example.com/llm/gw2"), "\(message)")
    }

    @Test func aBackendsMaxModelLenIsKeptWhenItSendsOne() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let listing = try fixture.proxy.get("/v1/models", headers: [("Authorization", "Bearer alice")])
        let entries = try #require((try listing.json() as? [String: Any])?["data"] as? [[String: Any]])
        let byID = Dictionary(entries.map { ($0["id"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect((byID["vllm-x"]?["max_model_len"] as? NSNumber)?.intValue == 2048)
        // Not a positive integer: left out, never invented.
        #expect(byID["vllm-y"] != nil)
        #expect(byID["vllm-y"]?["max_model_len"] == nil)
        // The fake's generated listings carry vLLM's 2048 too.
        #expect((byID["solo"]?["max_model_len"] as? NSNumber)?.intValue == 2048)
    }

    @Test func listingURLProxyWithoutPublicURLIsAConfigurationError() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("maas-proxy.yaml")
        try "listing:\n  url: proxy\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try CommandLineLiveTests.run(["check-config", "--config", file.path, "--models", directory.path])
        #expect(result.status != nil && result.status != 0)
        let said = (result.output + result.errors).joined(separator: "\n")
        #expect(said.contains("listing.url") && said.contains("publicURL"), "\(said)")
    }

    // MARK: Item 6: MaaSModelRef's resolved alias

    @Test func aMaaSModelRefsResolvedAliasRoutesTheBodysModelButIsNotListed() throws {
        let alias = "publishers/llm/models/facebook/opt-125m"
        let fixture = try Fixture.start(
            extraModels: """
                apiVersion: maas.opendatahub.io/v1alpha1
                kind: MaaSModelRef
                metadata: {name: vllm-ref, namespace: team-d}
                spec: {modelRef: {kind: LLMInferenceService, name: vllm-ref}}
                status: {phase: Ready, endpoint: "\\(base)/llm/gw2", resolvedModelAlias: "\(alias)"}
                """
        )
        defer { fixture.cleanUp() }
        // gw2 lists mock-gpt to alice; the alias names the MaaSModelRef model only.
        let routed = try fixture.chat(alias, as: "Bearer alice")
        #expect(routed.status == 200)
        #expect(try fixture.inferencePaths() == ["/llm/gw2/v1/chat/completions"])
        #expect(try !fixture.proxy.listedIDs(token: "Bearer alice").contains(alias))
        // Subject to the same access check: bob is denied on that backend.
        let denied = try fixture.chat(alias, as: "Bearer bob")
        #expect(denied.status == 404)
        #expect(denied.errorCode == "model_not_found")
        #expect(try fixture.inferencePaths().count == 1)
    }
}
