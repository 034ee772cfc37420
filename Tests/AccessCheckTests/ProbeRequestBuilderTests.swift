import AccessCheck
import Routing
import Testing

@Suite struct ProbeRequestBuilderTests {
    @Test func headersAreExactlyTheSpecifiedOnesInOrder() throws {
        let builder = ProbeRequestBuilder(version: "1.2.3")
        let caller = Caller(
            credential: Credential(authorizationHeader: "  Bearer tok en\t")!,
            subscriptionHeaderValues: ["free", "premium", "  "]
        )
        let request = try #require(builder.request(for: Fixtures.candidate("m"), caller: caller))
        #expect(request.method == "GET")
        #expect(request.url.description == "http://127.0.0.1:8000/llm/m/v1/models")
        #expect(
            request.headers == [
                HTTPHeader("Authorization", "Bearer tok en"), HTTPHeader("X-Maas-Subscription", "premium"),
                HTTPHeader("Accept", "application/json"), HTTPHeader("User-Agent", "maas-proxy/1.2.3"),
            ]
        )
    }

    @Test(arguments: [nil, "", " \t "] as [String?])
    func noSubscriptionHeaderWithoutOne(subscription: String?) throws {
        let caller = Fixtures.caller("Bearer t", subscription: subscription)
        let request = try #require(
            ProbeRequestBuilder(version: "1").request(for: Fixtures.candidate("m"), caller: caller)
        )
        #expect(
            request.headers == [
                HTTPHeader("Authorization", "Bearer t"), HTTPHeader("Accept", "application/json"),
                HTTPHeader("User-Agent", "maas-proxy/1"),
            ]
        )
    }

    @Test(
        arguments: [
            ("/llm/m", nil, "/v1/models", "/llm/m/v1/models"),
            ("/llm/m/", nil, "/v1/models", "/llm/m/v1/models"),
            ("", nil, "/v1/models", "/v1/models"),
            ("/", "a=1&b=2", "v1/models", "/v1/models?a=1&b=2"),
            ("/llm/m", "tenant=x", "/v1/models", "/llm/m/v1/models?tenant=x"),
        ] as [(String, String?, String, String)]
    )
    func theProbeURLJoinsTheEndpointAndThePath(path: String, query: String?, probePath: String, target: String) throws {
        let fixture = Fixtures.candidate("m", probe: .http(method: "GET", path: probePath))
        let candidate = Candidate(
            model: fixture.model,
            probe: fixture.probe,
            endpoint: EndpointURL(scheme: "https", host: "maas.example.com", port: 443, path: path, query: query)
        )
        let request = try #require(ProbeRequestBuilder(version: "1").request(for: candidate, caller: Fixtures.caller()))
        #expect(request.url.requestTarget == target)
        #expect(request.url.hostHeader == "maas.example.com")
        #expect(request.method == "GET")
    }

    @Test func configuredKindUsesItsMethodAndPathAndKeepsTheQuery() throws {
        let fixture = Fixtures.candidate("m", probe: .http(method: "HEAD", path: "/health/"))
        var endpoint = fixture.endpoint
        endpoint.query = "tenant=a"
        let candidate = Candidate(model: fixture.model, probe: fixture.probe, endpoint: endpoint)
        let request = try #require(ProbeRequestBuilder(version: "1").request(for: candidate, caller: Fixtures.caller()))
        #expect(request.method == "HEAD")
        #expect(request.url.requestTarget == "/llm/m/health/?tenant=a")
    }

    @Test func kindsWithoutProbeBuildNoRequest() {
        #expect(
            ProbeRequestBuilder(version: "1").request(
                for: Fixtures.candidate("m", kind: "ExternalModel", probe: .none),
                caller: Fixtures.caller()
            ) == nil
        )
    }

    @Test(arguments: [(nil as String?, true), ("", true), (" \t ", true), ("Bearer x", false)])
    func blankCredentialsAreMissing(header: String?, missing: Bool) {
        #expect((Credential(authorizationHeader: header) == nil) == missing)
    }

    @Test func credentialNeverPrintsItsValue() {
        let credential = Credential(authorizationHeader: "Bearer secret-token")!
        #expect(!"\(credential)".contains("secret"))
        #expect(!String(reflecting: credential).contains("secret"))
        #expect(!"\(Caller(credential: credential, subscription: nil))".contains("secret"))
    }
}
