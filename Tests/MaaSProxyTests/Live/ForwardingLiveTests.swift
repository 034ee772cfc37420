import Foundation
import Testing

/// SPEC 5.1–5.3 end to end: routing, admission and the upstream request, as client and backend see them.
@Suite(.serialized)
struct ForwardingLiveTests {
    @Test func pathRouteForwardsWithRewrittenHeadersAndTheSameBody() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let body = ForwardingFixture.chat(model: "alpha-1")
        let response = try fixture.post(
            "/llm/alpha/v1/chat/completions?api-version=2",
            token: "Bearer alice",
            body: body,
            headers: [
                ("Connection", "keep-alive, X-Hop"), ("X-Hop", "secret"), ("Keep-Alive", "timeout=5"),
                ("TE", "trailers"), ("Proxy-Authorization", "Basic eA=="), ("X-MaaS-Username", "admin"),
                ("X-MaaS-Group", "admins"), ("X-Forwarded-For", "10.0.0.1"), ("X-Request-Id", "req-42.a_b"),
                ("X-Custom", "kept"),
            ]
        )
        #expect(response.status == 200)
        #expect(response.header("X-Request-Id") == "req-42.a_b")
        #expect(response.header("X-Fake-Backend") == "backend")
        let object = try #require(try response.json() as? [String: Any])
        #expect(object["object"] as? String == "chat.completion")

        let seen = try #require(try fixture.backendRequests(endingWith: "/v1/chat/completions?api-version=2").first)
        #expect(seen["uri"] as? String == "/llm/alpha/v1/chat/completions?api-version=2")
        #expect(seen["body"] as? String == String(decoding: body, as: UTF8.self))
        #expect(recordedHeader(seen, "Host") == "127.0.0.1:\(fixture.backend.port)")
        #expect(recordedHeader(seen, "Authorization") == "Bearer alice")
        #expect(recordedHeader(seen, "Content-Length") == String(body.count))
        #expect(recordedHeader(seen, "X-Forwarded-For") == "10.0.0.1, 127.0.0.1")
        #expect(recordedHeader(seen, "X-Forwarded-Proto") == "http")
        #expect(recordedHeader(seen, "X-Forwarded-Host") == "127.0.0.1")
        #expect(recordedHeader(seen, "X-Request-Id") == "req-42.a_b")
        #expect(recordedHeader(seen, "X-Custom") == "kept")
        let names = Set(recordedHeaders(seen).map { $0.0.lowercased() })
        for dropped in ["x-hop", "keep-alive", "te", "proxy-authorization", "x-maas-username", "x-maas-group"] {
            #expect(!names.contains(dropped), "\(dropped) reached the backend")
        }
    }

    @Test func invalidRequestIDIsReplaced() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let response = try fixture.post(
            "/llm/alpha/v1/chat/completions",
            token: "Bearer alice",
            body: ForwardingFixture.chat(model: "alpha-1"),
            headers: [("X-Request-Id", "has spaces/and slashes")]
        )
        let id = try #require(response.header("X-Request-Id"))
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        let seen = try #require(try fixture.backendRequests(endingWith: "/v1/chat/completions").first)
        #expect(recordedHeader(seen, "X-Request-Id") == id)
    }

    @Test func bodyRouteFindsTheModelByServedIDAndRefusesAlikeUnknownAndDenied() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let ok = try fixture.post(
            "/v1/chat/completions",
            token: "Bearer alice",
            body: ForwardingFixture.chat(model: "alpha-1")
        )
        #expect(ok.status == 200)
        let seen = try #require(try fixture.backendRequests(endingWith: "/v1/chat/completions").first)
        #expect(seen["uri"] as? String == "/llm/alpha/v1/chat/completions")

        let denied = try fixture.post(
            "/v1/chat/completions",
            token: "Bearer bob",
            body: ForwardingFixture.chat(model: "alpha-1")
        )
        let unknown = try fixture.post(
            "/v1/chat/completions",
            token: "Bearer alice",
            body: ForwardingFixture.chat(model: "nope")
        )
        for response in [denied, unknown] {
            #expect(response.status == 404)
            #expect(response.errorCode == "model_not_found")
            #expect(response.header("Content-Type") == "application/json")
        }
        #expect(denied.bodyText == unknown.bodyText)
        // Denied calls never reach the inference path.
        #expect(try fixture.backendRequests(endingWith: "/v1/chat/completions").count == 1)
    }

    @Test func sameIDOnSeveralModelsIsDisambiguatedByAccess() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        // alice may use beta and gamma, which both serve "shared": she must use a model url.
        let alice = try fixture.post(
            "/v1/embeddings",
            token: "Bearer alice",
            body: Array(#"{"model":"shared","input":"x"}"#.utf8)
        )
        #expect(alice.status == 400)
        #expect(alice.errorCode == "ambiguous_model")
        // bob may use only beta: his call goes there.
        let bob = try fixture.post(
            "/v1/embeddings",
            token: "Bearer bob",
            body: Array(#"{"model":"shared","input":"x"}"#.utf8)
        )
        #expect(bob.status == 200)
        let uris = try fixture.backendRequests(endingWith: "/v1/embeddings").compactMap { $0["uri"] as? String }
        #expect(uris == ["/llm/beta/v1/embeddings"])
    }

    @Test func bodyErrorsAndUnroutablePaths() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let notJSON = try fixture.post("/v1/chat/completions", token: "Bearer alice", body: Array("{\"model\":".utf8))
        #expect(notJSON.status == 400)
        #expect(notJSON.errorCode == "invalid_json")
        let noModel = try fixture.post(
            "/v1/chat/completions",
            token: "Bearer alice",
            body: Array(#"{"messages":[]}"#.utf8)
        )
        #expect(noModel.status == 400)
        #expect(noModel.errorCode == "missing_model")
        let nowhere = try fixture.proxy.get("/nowhere", headers: [("Authorization", "Bearer alice")])
        #expect(nowhere.status == 404)
        #expect(nowhere.errorCode == "route_not_found")
        // A dot segment could climb out of the prefix the caller was admitted for.
        let climbing = try fixture.proxy.get("/llm/alpha/../beta/v1/models", headers: [("Authorization", "Bearer bob")])
        #expect(climbing.status == 404)
    }

    @Test func admissionAnswersBeforeTheBackendIsCalled() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let body = ForwardingFixture.chat(model: "alpha-1")
        let anonymous = try fixture.post("/llm/alpha/v1/chat/completions", token: nil, body: body)
        #expect(anonymous.status == 401)
        let blank = try fixture.post("/llm/alpha/v1/chat/completions", token: "  ", body: body)
        #expect(blank.status == 401)
        let forbidden = try fixture.post("/llm/alpha/v1/chat/completions", token: "Bearer bob", body: body)
        #expect(forbidden.status == 403)
        #expect(forbidden.errorCode == "model_access_denied")
        let unknownToken = try fixture.post("/llm/alpha/v1/chat/completions", token: "Bearer mallory", body: body)
        #expect(unknownToken.status == 401)
        #expect(unknownToken.errorCode == "invalid_credentials")
        let pending = try fixture.post("/llm/pending/v1/chat/completions", token: "Bearer alice", body: body)
        #expect(pending.status == 503)
        #expect(pending.errorCode == "model_not_ready")
        #expect(pending.header("Retry-After") != nil)
        #expect(try fixture.backendRequests(endingWith: "/v1/chat/completions").isEmpty)
    }

    @Test func unreachableBackendIs502() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let response = try fixture.post(
            "/dead/v1/chat/completions",
            token: "Bearer alice",
            body: ForwardingFixture.chat(model: "dead")
        )
        #expect(response.status == 502)
        #expect(response.errorCode == "upstream_unavailable")
        #expect((try response.json() as? [String: Any])?["error"] != nil)
    }

    @Test func revocationIsSeenOnTheNextRequest() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let body = ForwardingFixture.chat(model: "alpha-1")
        #expect(try fixture.post("/llm/alpha/v1/chat/completions", token: "Bearer alice", body: body).status == 200)
        let probesBefore = try fixture.backendRequests(endingWith: "/llm/alpha/v1/models").count
        // The backend starts refusing alice.
        try fixture.backend.replaceConfig(
            ForwardingFixture.backendConfig.replacingOccurrences(
                of: "\"Bearer alice\": {status: 200}\n      \"Bearer bob\": {status: 403}",
                with: "\"Bearer alice\": {status: 401}\n      \"Bearer bob\": {status: 403}"
            )
        )
        // The cached grant lets one call through; the backend's own 401 is relayed untouched…
        let relayed = try fixture.post("/llm/alpha/v1/chat/completions", token: "Bearer alice", body: body)
        #expect(relayed.status == 401)
        #expect(relayed.header("X-Fake-Backend") == "backend")
        // …and evicts the decision: the next call probes again and is refused by the proxy.
        let refused = try fixture.post("/llm/alpha/v1/chat/completions", token: "Bearer alice", body: body)
        #expect(refused.status == 401)
        #expect(refused.errorCode == "invalid_credentials")
        #expect(try fixture.backendRequests(endingWith: "/llm/alpha/v1/models").count == probesBefore + 1)
    }

    /// The backend closes the kept-alive connection as the second request on it arrives (the
    /// probe was the first): a body-less GET is sent again on a new connection, a POST is not.
    @Test func onlyABodylessRequestIsRetriedAfterTheUpstreamClosedItsConnection() throws {
        let config = ForwardingFixture.backendConfig.replacingOccurrences(
            of: "  - prefix: /llm/alpha\n",
            with: "  - prefix: /llm/alpha\n    dropRequests: [2]\n"
        )
        #expect(config.contains("dropRequests"))
        for (method, expected) in [("GET", 200), ("POST", 502)] {
            let fixture = try ForwardingFixture.start(workers: 1, backend: config)
            defer { fixture.cleanUp() }
            let response = try RawHTTPClient(port: fixture.proxy.port).request(
                method,
                method == "GET" ? "/llm/alpha/v1/models" : "/llm/alpha/v1/chat/completions",
                headers: [("Authorization", "Bearer alice")],
                body: method == "GET" ? [] : ForwardingFixture.chat(model: "alpha-1")
            )
            #expect(response.status == expected, "\(method)")
            #expect(try fixture.backend.stats()["dropped_requests"] == 1, "\(method)")
            if method == "POST" {
                #expect(response.errorCode == "upstream_unavailable")
                #expect(try fixture.backendRequests(endingWith: "/v1/chat/completions").count == 1)
            }
        }
    }

    @Test func concurrentRequestsOnAColdCacheCauseOneProbe() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let statuses = StatusCollector()
        DispatchQueue.concurrentPerform(iterations: 20) { _ in
            let status =
                (try? fixture.post(
                    "/llm/alpha/v1/chat/completions",
                    token: "Bearer alice",
                    body: ForwardingFixture.chat(model: "alpha-1")
                ).status) ?? 0
            statuses.append(status)
        }
        #expect(statuses.values == Array(repeating: 200, count: 20))
        #expect(try fixture.backendRequests(endingWith: "/llm/alpha/v1/models").count == 1)
        #expect(try fixture.backendRequests(endingWith: "/v1/chat/completions").count == 20)
        // SPEC 6 metrics of forwarded calls: upstream latency per model, and nothing left in flight.
        let metrics = try RawHTTPClient(port: fixture.proxy.adminPort).request("GET", "/metrics").bodyText
        #expect(metrics.contains(#"maas_proxy_upstream_duration_seconds_count{model="team-a/alpha"} 20"#))
        #expect(metrics.contains(#"maas_proxy_requests_total{route="path",model="team-a/alpha",status="200"} 20"#))
        #expect(metrics.contains("maas_proxy_active_streams 0"))
    }
}

/// Statuses collected from concurrent requests.
final class StatusCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Int] = []
    func append(_ value: Int) { lock.withLock { collected.append(value) } }
    var values: [Int] { lock.withLock { collected } }
}
