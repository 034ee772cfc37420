import Routing
import Testing

/// An origin keeps its hash (issue 10): the one made from an endpoint and the one made from the
/// three values must be the same key, and the hash must follow the endpoint's changes.
@Suite struct BackendOriginTests {
    @Test(arguments: [
        "http://backend:8000/llm/a", "https://Gateway.Example/x?y=1", "http://[::1]:9/", "http://h",
    ])
    func anEndpointsOriginIsTheOriginOfItsThreeValues(text: String) throws {
        let url = try #require(EndpointURL(parsing: text))
        let fromURL = BackendOrigin(url)
        let fromValues = BackendOrigin(scheme: url.scheme, host: url.host, port: url.port)
        #expect(fromURL == fromValues)
        #expect(fromURL.hashValue == fromValues.hashValue)
        #expect(Set([fromURL, fromValues]).count == 1)
        // The path and query play no part.
        var other = url
        other.path = "/elsewhere"
        other.query = "q"
        #expect(BackendOrigin(other) == fromURL)
    }

    @Test func originsThatDifferInAnyPartAreDifferentKeys() throws {
        let url = try #require(EndpointURL(parsing: "http://backend:8000/a"))
        var port = url
        port.port = 8001
        var host = url
        host.host = "backend2"
        var scheme = url
        scheme.scheme = "https"
        let origins = [url, port, host, scheme].map(BackendOrigin.init)
        #expect(Set(origins).count == 4)
        // The hash kept by the endpoint follows each change.
        for changed in [port, host, scheme] {
            #expect(
                BackendOrigin(changed) == BackendOrigin(scheme: changed.scheme, host: changed.host, port: changed.port)
            )
        }
        #expect(port.hostHeader == "backend:8001")
    }
}
