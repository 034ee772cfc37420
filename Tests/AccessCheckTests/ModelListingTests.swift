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

    @Test func externalModelsAreListedByTheirModelRefNameOnlyWhenReady() throws {
        var ready = Fixtures.candidate("ext-a", kind: "ExternalModel", probe: .none, created: 1_650_000_000)
        ready.model.modelRef.name = "gpt-4o"
        let pending = Fixtures.candidate("ext-b", kind: "ExternalModel", phase: "Pending", probe: .none)
        let scheduler = ManualScheduler()
        let box = Fixtures.run(Fixtures.checker(FakeTransport(scheduler: scheduler)), scheduler, [ready, pending])
        let result = try #require(box.result)
        let entries = ModelListing.entries(candidates: [ready, pending], decisions: result.decisions)
        #expect(
            entries == [
                ModelEntry(
                    id: "gpt-4o",
                    created: 1_650_000_000,
                    ownedBy: "ns",
                    kind: "ExternalModel",
                    url: "http://127.0.0.1:8000/llm/ext-a",
                    ready: true
                )
            ]
        )
    }

    @Test func deniedUnavailableAndUndecidedModelsAreNotListed() {
        let candidates = ["a", "b", "c", "d"].map { Fixtures.candidate($0) }
        let entries = ModelListing.entries(
            candidates: candidates,
            decisions: [
                candidates[0].model.id: Self.denied,
                candidates[1].model.id: Decision(
                    outcome: .unavailable(reason: "probe deadline"),
                    decidedAtWall: 0,
                    expiresAt: .init(nanoseconds: 0)
                ),
                candidates[2].model.id: Self.granted([ServedModel(id: "c")]),
            ]
        )
        #expect(entries.map(\.id) == ["c"])
    }

    @Test func kindReadyAndURLAreTheModelsAsWritten() throws {
        var candidate = Fixtures.candidate("a", kind: "", phase: "Unhealthy")
        candidate.model.endpoint = "https://maas.example.com/llm/a/"
        let entry = try #require(
            ModelListing.entries(candidates: [candidate], decisions: [candidate.model.id: Self.granted([])]).first
        )
        #expect(entry.kind == "llmisvc")
        #expect(entry.ready == false)
        #expect(entry.url == "https://maas.example.com/llm/a/")
    }

    // (id, url, owned_by) triples in candidate order → the listed order.
    @Test(arguments: [
        ([("b", 1, "x"), ("a", 1, "x"), ("c", 1, "x")], ["a/1/x", "b/1/x", "c/1/x"]),
        ([("m", 2, "x"), ("m", 1, "y"), ("m", 1, "x")], ["m/1/x", "m/1/y", "m/2/x"]),
        ([("m", 10, "a"), ("m", 9, "b")], ["m/10/a", "m/9/b"]),
        ([("B", 1, "x"), ("a", 1, "x"), ("A", 1, "x")], ["A/1/x", "B/1/x", "a/1/x"]),
        ([("m-10", 1, "x"), ("m-2", 1, "x"), ("m", 1, "x")], ["m/1/x", "m-10/1/x", "m-2/1/x"]),
    ])
    func sortedByIDThenURLThenOwner(models: [(String, Int, String)], expected: [String]) {
        var candidates: [Candidate] = []
        var decisions: [ModelID: Decision] = [:]
        for (index, (id, port, namespace)) in models.enumerated() {
            var candidate = Fixtures.candidate("model\(index)", namespace: namespace, port: port)
            candidate.model.endpoint = "http://127.0.0.1:\(port)/shared"
            candidates.append(candidate)
            decisions[candidate.model.id] = Self.granted([ServedModel(id: id)])
        }
        let listed = ModelListing.entries(candidates: candidates, decisions: decisions).map { entry in
            "\(entry.id)/\(entry.url.split(separator: ":")[2].prefix { $0 != "/" })/\(entry.ownedBy)"
        }
        #expect(listed == expected)
    }

    @Test func aProbeAnswerBecomesEntries() throws {
        let candidate = Fixtures.candidate("fallback", created: 1_600_000_000)
        let answers: [(String, [String])] = [
            (#"{"data":[{"id":"x","created":42},{"id":"y"}]}"#, ["x:42", "y:1600000000"]),
            (#"{"data":[{"id":""},{"id":null}]}"#, ["fallback:1600000000"]),
            (#"{"data":[]}"#, ["fallback:1600000000"]),
        ]
        for (body, expected) in answers {
            guard
                case .granted(let served, let via405) = ProbeClassifier.classify(
                    .http(status: 200, body: Array(body.utf8))
                )
            else {
                Issue.record("expected granted for \(body)")
                continue
            }
            let entries = ModelListing.entries(
                candidates: [candidate],
                decisions: [candidate.model.id: Self.granted(served, via405: via405)]
            )
            #expect(entries.map { "\($0.id):\($0.created)" } == expected)
        }
    }

    @Test func jsonForTwoEntriesByteForByte() {
        let full = Fixtures.candidate(
            "a",
            namespace: "team-a",
            annotations: [
                "opendatahub.io/model-capabilities": #"["chat","tools"]"#, "opendatahub.io/context-window": "8192",
                "opendatahub.io/genai-use-case": "chat", "openshift.io/description": "Line 1\nLine \"2\"\t\u{01}",
                "openshift.io/display-name": "A \\ B",
            ],
            created: 1_600_000_000
        )
        let plain = Fixtures.candidate("b", namespace: "team-b", kind: "", phase: "Pending")
        let entries = ModelListing.entries(
            candidates: [plain, full],
            decisions: [
                full.model.id: Self.granted([ServedModel(id: "a/1", maxModelLength: 32768)]),
                plain.model.id: Self.granted([], via405: true),
            ]
        )
        let expected =
            #"{"object":"list","data":["#
            + #"{"id":"a/1","object":"model","created":1600000000,"owned_by":"team-a","kind":"LLMInferenceService","#
            + #""url":"http://127.0.0.1:8000/llm/a","max_model_len":32768,"ready":true,"modelDetails":{"displayName":"A \\ B","#
            + #""description":"Line 1\nLine \"2\"\t\u0001","genaiUseCase":"chat","contextWindow":"8192","#
            + #""modelCapabilities":["chat","tools"]}},"#
            + #"{"id":"b","object":"model","created":0,"owned_by":"team-b","kind":"llmisvc","#
            + #""url":"http://127.0.0.1:8000/llm/b","ready":false}]}"#
        #expect(String(decoding: ModelListing.json(entries), as: UTF8.self) == expected)
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"),
        (951_782_400.9, "2000-02-29T00:00:00Z"),
        (1_764_373_565.0, "2025-11-28T23:46:05Z"),
        (4_107_542_399.0, "2100-02-28T23:59:59Z"),
        (1_709_164_800.0, "2024-02-29T00:00:00Z"),
        (1_735_689_599.999, "2024-12-31T23:59:59Z"),
        (-1.0, "1969-12-31T23:59:59Z"),
    ])
    func rfc3339(seconds: Double, expected: String) {
        #expect(ModelListing.rfc3339(seconds) == expected)
    }
}
