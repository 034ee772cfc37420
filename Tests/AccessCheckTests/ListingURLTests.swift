import AccessCheck
import Routing
import Testing

/// `listing.url` (SPEC 3.3) and which ids route a body's `model` (SPEC 5.1 step 2).
@Suite struct ListingURLTests {
    static func candidate(
        endpoint: String,
        name: String = "m",
        namespace: String = "ns",
        kind: String = ""
    )
        -> Candidate
    {
        let url = EndpointURL(parsing: endpoint)!
        let model = MaaSModel(
            namespace: namespace,
            name: name,
            modelRef: ModelRef(kind: kind, name: "ref-\(name)"),
            phase: "Ready",
            endpoint: endpoint
        )
        return Candidate(model: model, probe: kind == "ExternalModel" ? .none : .modelsList, endpoint: url)
    }

    @Test(arguments: [
        // The endpoint's path is the route prefix.
        ("https://maas.example.com", "http://10.0.0.1:8000/llm/a", "https://maas.example.com/llm/a"),
        ("https://maas.example.com/", "http://10.0.0.1:8000/llm/a", "https://maas.example.com/llm/a"),
        ("https://maas.example.com//", "http://10.0.0.1:8000/llm/a/", "https://maas.example.com/llm/a"),
        ("https://maas.example.com/gw", "http://10.0.0.1:8000/llm/a?x=1", "https://maas.example.com/gw/llm/a"),
        // No path: /<namespace>/<modelRef.name>.
        ("https://maas.example.com", "http://10.0.0.1:8000", "https://maas.example.com/ns/ref-m"),
        ("https://maas.example.com", "http://10.0.0.1:8000/", "https://maas.example.com/ns/ref-m"),
    ])
    func proxyURLIsPublicURLPlusTheRoutePrefix(publicURL: String, endpoint: String, expected: String) {
        let candidate = Self.candidate(endpoint: endpoint)
        #expect(ListingURL.proxy(publicURL: publicURL).url(of: candidate) == expected)
        #expect(ListingURL.endpoint.url(of: candidate) == endpoint)
    }

    @Test func entriesCarryTheChosenURL() {
        let candidate = Self.candidate(endpoint: "http://10.0.0.1:8000/llm/a")
        let decision = ModelListingTests.granted([ServedModel(id: "x")])
        let entries = ModelListing.entries(
            candidates: [candidate],
            decisions: [candidate.model.id: decision],
            urls: .proxy(publicURL: "https://p.example")
        )
        #expect(entries.map(\.url) == ["https://p.example/llm/a"])
    }

    @Test(arguments: [
        // (served ids, via405, kind, asked id, serves)
        (["a", "b"], false, "", "b", true),
        (["a", "b"], false, "", "c", false),
        (["a"], false, "", "m", false),
        // No ids (405, [] or all empty): listed under metadata.name.
        ([String](), true, "", "m", true),
        ([String](), false, "", "m", true),
        ([String](), false, "", "ref-m", false),
        // Probe-less kinds: modelRef.name.
        ([String](), false, "ExternalModel", "ref-m", true),
        ([String](), false, "ExternalModel", "m", false),
    ])
    func servesMatchesTheListedIDs(served: [String], via405: Bool, kind: String, id: String, expected: Bool) {
        let candidate = Self.candidate(endpoint: "http://10.0.0.1:8000/llm/a", kind: kind)
        let decision = ModelListingTests.granted(served.map { ServedModel(id: $0) }, via405: via405)
        #expect(ModelListing.serves(id, candidate: candidate, granted: decision) == expected)
        #expect(ModelListing.ids(of: candidate, granted: decision).contains(id) == expected)
    }

    @Test func aDeniedDecisionServesNothing() {
        let candidate = Self.candidate(endpoint: "http://10.0.0.1:8000/llm/a")
        let denied = Decision(outcome: .denied(status: 400), decidedAtWall: 0, expiresAt: .init(nanoseconds: 0))
        #expect(!ModelListing.serves("m", candidate: candidate, granted: denied))
    }
}
