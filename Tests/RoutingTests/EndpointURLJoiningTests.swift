import Routing
import Testing

@Suite("EndpointURL joining and HTTP forms")
struct EndpointURLJoiningTests {
    struct Join: Sendable, CustomTestStringConvertible {
        var endpoint: String
        var suffix: String
        var expected: String
        var testDescription: String { "\(endpoint) + \(suffix)" }
    }

    static let joins: [Join] = [
        Join(endpoint: "https://h/llm/x", suffix: "/v1/models", expected: "https://h/llm/x/v1/models"),
        Join(endpoint: "https://h/llm/x/", suffix: "/v1/models", expected: "https://h/llm/x/v1/models"),
        Join(endpoint: "https://h/llm/x", suffix: "v1/models", expected: "https://h/llm/x/v1/models"),
        Join(endpoint: "https://h/llm/x/", suffix: "v1/models", expected: "https://h/llm/x/v1/models"),
        Join(endpoint: "https://h", suffix: "/v1/models", expected: "https://h/v1/models"),
        Join(endpoint: "https://h/", suffix: "/v1/models", expected: "https://h/v1/models"),
        Join(endpoint: "https://h/llm/x", suffix: "", expected: "https://h/llm/x"),
        Join(endpoint: "https://h", suffix: "", expected: "https://h/"),
        Join(
            endpoint: "https://h/llm/x?api-version=1",
            suffix: "/v1/models",
            expected: "https://h/llm/x/v1/models?api-version=1"
        ),
        Join(endpoint: "http://h:8000/?", suffix: "/v1/models", expected: "http://h:8000/v1/models?"),
    ]

    @Test(arguments: joins)
    func appendingPathJoinsWithoutDoublingSlashes(_ row: Join) throws {
        let endpoint = try #require(EndpointURL(parsing: row.endpoint))
        #expect(endpoint.appendingPath(row.suffix).description == row.expected)
    }

    /// A body-routed call's target is the joined path's, with the request's query in place of the
    /// endpoint's (`nil` drops it).
    @Test(arguments: joins, [String?.none, "", "stream=1"])
    func requestTargetAppendingPathIsTheJoinedURLsTargetWithTheRequestsQuery(_ row: Join, query: String?) throws {
        let endpoint = try #require(EndpointURL(parsing: row.endpoint))
        var joined = endpoint.appendingPath(row.suffix)
        joined.query = query
        #expect(endpoint.requestTarget(appendingPath: row.suffix, query: query) == joined.requestTarget)
        #expect(joined.requestTarget.hasPrefix("/"))
    }

    @Test func appendingPathKeepsSchemeHostPortAndQuery() throws {
        let endpoint = try #require(EndpointURL(parsing: "http://Backend:8000/llm/x?a=1"))
        let joined = endpoint.appendingPath("/v1/models")
        #expect(joined.scheme == "http")
        #expect(joined.host == "backend")
        #expect(joined.port == 8000)
        #expect(joined.path == "/llm/x/v1/models")
        #expect(joined.query == "a=1")
    }

    struct Forms: Sendable, CustomTestStringConvertible {
        var url: String
        var hostHeader: String
        var requestTarget: String
        var testDescription: String { url }
    }

    static let forms: [Forms] = [
        Forms(url: "https://maas.example.com/llm/x", hostHeader: "maas.example.com", requestTarget: "/llm/x"),
        Forms(url: "https://maas.example.com:443", hostHeader: "maas.example.com", requestTarget: "/"),
        Forms(url: "http://backend:80/", hostHeader: "backend", requestTarget: "/"),
        Forms(url: "http://backend:8000/v1?x=1", hostHeader: "backend:8000", requestTarget: "/v1?x=1"),
        Forms(url: "https://backend:80/", hostHeader: "backend:80", requestTarget: "/"),
        Forms(url: "http://backend:443/", hostHeader: "backend:443", requestTarget: "/"),
        Forms(url: "http://[::1]:8080/p", hostHeader: "[::1]:8080", requestTarget: "/p"),
        Forms(url: "https://[2001:db8::7]", hostHeader: "[2001:db8::7]", requestTarget: "/"),
        Forms(url: "https://h?", hostHeader: "h", requestTarget: "/?"),
        Forms(url: "https://h?q", hostHeader: "h", requestTarget: "/?q"),
    ]

    @Test(arguments: forms)
    func hostHeaderAndRequestTarget(_ row: Forms) throws {
        let url = try #require(EndpointURL(parsing: row.url))
        #expect(url.hostHeader == row.hostHeader)
        #expect(url.requestTarget == row.requestTarget)
    }
}
