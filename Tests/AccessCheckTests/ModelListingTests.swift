import AccessCheck
import Routing
import Testing

@Suite struct ModelListingTests {
    static func granted(_ served: [ServedModel], via405: Bool = false) -> Decision {
        Decision(outcome: .granted(served: served, via405: via405), decidedAtWall: 0, expiresAt: .init(nanoseconds: 0))
    }

    static let denied = Decision(outcome: .denied(status: 403), decidedAtWall: 0, expiresAt: .init(nanoseconds: 0))

    @Test func servedIDsExpandAndFallBackToTheModelName() {
        let a = Fixtures.candidate("a", created: 1_600_000_000)
        let b = Fixtures.candidate("b")
        let c = Fixtures.candidate("c", created: 1_600_000_000)
        let d = Fixtures.candidate("d")
        let ext = Fixtures.candidate("ext", kind: "ExternalModel", probe: .none)
        let entries = ModelListing.entries(
            candidates: [a, b, c, d, ext],
            decisions: [
                a.model.id: Self.granted([
                    ServedModel(id: "z-served", created: 0), ServedModel(id: "a-served", created: 7),
                ]),
                b.model.id: Self.granted([], via405: true),
                c.model.id: Self.granted([]),
                d.model.id: Self.denied,
                ext.model.id: Self.granted([]),
            ]
        )
        #expect(entries.map(\.id) == ["a-served", "b", "c", "ext", "z-served"])
        // created: the backend's if non-zero, else creationTimestamp, else 0.
        #expect(entries.map(\.created) == [7, 0, 1_600_000_000, 0, 1_600_000_000])
        #expect(entries.allSatisfy { $0.ownedBy == "ns" })
        #expect(entries.first { $0.id == "ext" }?.kind == "ExternalModel")
    }

    @Test func sameIDFromTwoModelsGivesTwoEntriesSortedByURLThenOwner() {
        let one = Fixtures.candidate("one", namespace: "b", port: 2)
        let two = Fixtures.candidate("two", namespace: "a", port: 1)
        let three = Fixtures.candidate("one", namespace: "a", port: 2)
        let served = [ServedModel(id: "shared")]
        let entries = ModelListing.entries(
            candidates: [one, two, three],
            decisions: [
                one.model.id: Self.granted(served), two.model.id: Self.granted(served),
                three.model.id: Self.granted(served),
            ]
        )
        #expect(
            entries.map(\.url) == [
                "http://127.0.0.1:1/llm/two", "http://127.0.0.1:2/llm/one", "http://127.0.0.1:2/llm/one",
            ]
        )
        #expect(entries.map(\.ownedBy) == ["a", "a", "b"])
    }

    @Test func enrichmentFromAnnotations() throws {
        let candidate = Fixtures.candidate(
            "a",
            annotations: [
                "openshift.io/display-name": "Model A", "openshift.io/description": "Says \"hi\"",
                "opendatahub.io/genai-use-case": "chat", "opendatahub.io/context-window": "8192",
                "opendatahub.io/model-capabilities": #"["tools","vision"]"#, "unrelated": "x",
            ]
        )
        let entry = try #require(
            ModelListing.entries(candidates: [candidate], decisions: [candidate.model.id: Self.granted([])]).first
        )
        #expect(
            entry.details
                == ModelDetails(annotations: [
                    "openshift.io/display-name": "Model A", "openshift.io/description": "Says \"hi\"",
                    "opendatahub.io/genai-use-case": "chat", "opendatahub.io/context-window": "8192",
                    "opendatahub.io/model-capabilities": #"["tools","vision"]"#,
                ])
        )
        #expect(entry.details?.modelCapabilities == ["tools", "vision"])
    }

    @Test(arguments: [
        ([:], false),
        (["openshift.io/display-name": ""], false),
        (["unrelated": "x"], false),
        (["opendatahub.io/model-capabilities": "not json"], true),
        (["opendatahub.io/context-window": "4k"], true),
    ])
    func detailsOnlyWhenAnAnnotationIsNonEmpty(annotations: [String: String], present: Bool) {
        #expect((ModelDetails(annotations: annotations) != nil) == present)
    }

    @Test func jsonIsStableAndComplete() {
        let candidate = Fixtures.candidate(
            "a",
            annotations: ["openshift.io/display-name": "A", "opendatahub.io/model-capabilities": #"["chat"]"#]
        )
        let entries = ModelListing.entries(
            candidates: [candidate],
            decisions: [candidate.model.id: Self.granted([ServedModel(id: "m", created: 3)])]
        )
        #expect(
            String(decoding: ModelListing.json(entries), as: UTF8.self)
                == #"{"object":"list","data":[{"id":"m","object":"model","created":3,"owned_by":"ns","kind":"LLMInferenceService","url":"http://127.0.0.1:8000/llm/a","ready":true,"modelDetails":{"displayName":"A","modelCapabilities":["chat"]}}]}"#
        )
        #expect(String(decoding: ModelListing.json([]), as: UTF8.self) == #"{"object":"list","data":[]}"#)
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"),
        (951_782_400.9, "2000-02-29T00:00:00Z"),
        (1_764_373_565.0, "2025-11-28T23:46:05Z"),
        (4_107_542_399.0, "2100-02-28T23:59:59Z"),
    ])
    func rfc3339(seconds: Double, expected: String) {
        #expect(ModelListing.rfc3339(seconds) == expected)
    }
}
