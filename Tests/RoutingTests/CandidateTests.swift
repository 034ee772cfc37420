import Routing
import Testing

@Suite("Candidate and its derived values")
struct CandidateTests {
    static func candidate(
        _ name: String = "m",
        endpoint: String = "https://gw.example.com/llm/m/",
        probe: ProbeSpec = .modelsList
    ) -> Candidate {
        let model = MaaSModel(namespace: "ns", name: name, modelRef: ModelRef(name: name), endpoint: endpoint)
        return Candidate(model: model, probe: probe, endpoint: EndpointURL(parsing: endpoint)!)
    }

    @Test func derivedValuesFollowTheModelAndEndpoint() {
        let candidate = Self.candidate()
        #expect(candidate.id == ModelID(namespace: "ns", name: "m"))
        #expect(candidate.idText == "ns/m")
        #expect(candidate.endpointText == "https://gw.example.com/llm/m/")
        #expect(candidate.basePath == "/llm/m")
        #expect(candidate.hasProbe)
        #expect(!Self.candidate(probe: .none).hasProbe)
        #expect(Self.candidate(endpoint: "http://h:1").basePath == "")
        #expect(Self.candidate(endpoint: "http://h:1//").basePath == "")
    }

    @Test func aChangedCopyLeavesTheOriginalAlone() {
        let original = Self.candidate()
        var changed = original
        changed.model.name = "other"
        changed.probe = .none
        #expect(original.model.name == "m")
        #expect(original.idText == "ns/m")
        #expect(original.hasProbe)
        #expect(changed.idText == "ns/other")
        #expect(changed.id == ModelID(namespace: "ns", name: "other"))
        #expect(!changed.hasProbe)
        #expect(changed != original)
        #expect(changed.identity != original.identity)
        #expect(changed.identity.model == changed.id)
    }

    @Test func equalCandidatesBuiltApartAreEqualAndHashAlike() {
        let one = Self.candidate()
        let other = Self.candidate()
        #expect(one == other)
        #expect(one.hashValue == other.hashValue)
        #expect(one.identity == other.identity)
        #expect(one.identity !== other.identity)
        #expect(one.identity.hashValue == other.identity.hashValue)
        #expect(one.identity == CandidateIdentity(model: one.id, endpoint: one.endpointText))
        #expect(one.identity != CandidateIdentity(model: one.id, endpoint: one.endpointText + "x"))
        #expect(
            one.identity != CandidateIdentity(model: ModelID(namespace: "ns", name: "n"), endpoint: one.endpointText)
        )
        #expect(Set([one, other, Self.candidate("n")]).count == 2)
        var renamed = one
        renamed.model.name = "m"
        #expect(renamed == one)
    }

    struct Host: Sendable, CustomTestStringConvertible {
        var url: String
        var header: String
        var testDescription: String { url }
    }

    @Test(arguments: [
        Host(url: "http://h", header: "h"),
        Host(url: "http://h:80", header: "h"),
        Host(url: "http://h:443", header: "h:443"),
        Host(url: "https://h:443/x", header: "h"),
        Host(url: "https://h:8443/x", header: "h:8443"),
        Host(url: "http://[::1]:8000/", header: "[::1]:8000"),
        Host(url: "https://[fe80::1]/", header: "[fe80::1]"),
        Host(url: "http://10.0.0.1:9000", header: "10.0.0.1:9000"),
    ])
    func hostHeaderIsStoredFromTheURL(_ row: Host) throws {
        let url = try #require(EndpointURL(parsing: row.url))
        #expect(url.hostHeader == row.header)
    }

    @Test func hostHeaderFollowsEveryChange() throws {
        var url = try #require(EndpointURL(parsing: "http://h:8000/x"))
        url.port = 80
        #expect(url.hostHeader == "h")
        url.scheme = "https"
        #expect(url.hostHeader == "h:80")
        url.host = "::1"
        #expect(url.hostHeader == "[::1]:80")
        url.port = 443
        #expect(url.hostHeader == "[::1]")
        url.path = "/y"
        #expect(url.description == "https://[::1]/y")
        #expect(url == EndpointURL(scheme: "https", host: "::1", port: 443, path: "/y", query: nil))
    }
}
