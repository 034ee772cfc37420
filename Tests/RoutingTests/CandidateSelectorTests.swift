import Routing
import Testing

@Suite("CandidateSelector")
struct CandidateSelectorTests {
    static func model(_ name: String, kind: String = "", endpoint: String, phase: String = "Ready") -> MaaSModel {
        MaaSModel(
            namespace: "ns",
            name: name,
            modelRef: ModelRef(kind: kind, name: name),
            phase: phase,
            endpoint: endpoint
        )
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var model: MaaSModel
        var httpsOnly = false
        var selfAddresses: [SelfAddress] = []
        var kinds = KindRegistry.builtIn
        /// The probe when the model is a candidate, or the reason it is excluded.
        var expected: Result<ProbeSpec, Failure>
        var testDescription: String { label }
    }

    /// `Result` needs an `Error`; this carries the expected exclusion.
    struct Failure: Error, Equatable {
        var reason: ExclusionReason
        init(_ reason: ExclusionReason) { self.reason = reason }
    }

    static let rows: [Row] = [
        Row(label: "empty kind", model: model("a", endpoint: "https://h/llm/a"), expected: .success(.modelsList)),
        Row(
            label: "llmisvc",
            model: model("a", kind: "llmisvc", endpoint: "https://h/a"),
            expected: .success(.modelsList)
        ),
        Row(
            label: "LLMInferenceService over http",
            model: model("a", kind: "LLMInferenceService", endpoint: "http://svc.ns:8000"),
            expected: .success(.modelsList)
        ),
        Row(
            label: "ExternalModel, pending",
            model: model("a", kind: "ExternalModel", endpoint: "https://api.openai.example/v1", phase: "Pending"),
            expected: .success(.none)
        ),
        Row(
            label: "unknown kind",
            model: model("a", kind: "InferenceService", endpoint: "https://h/a"),
            expected: .failure(Failure(.unknownKind("InferenceService")))
        ),
        Row(
            label: "kind spelling is exact",
            model: model("a", kind: "LLMINFERENCESERVICE", endpoint: "https://h/a"),
            expected: .failure(Failure(.unknownKind("LLMINFERENCESERVICE")))
        ),
        Row(
            label: "configured kind",
            model: model("a", kind: "VLLMDeployment", endpoint: "https://h/a"),
            kinds: KindRegistry(configured: ["VLLMDeployment": .http(method: "HEAD", path: "/health")]),
            expected: .success(.http(method: "HEAD", path: "/health"))
        ),
        Row(
            label: "configured kind with no probe",
            model: model("a", kind: "Bedrock", endpoint: "https://h/a"),
            kinds: KindRegistry(configured: ["Bedrock": ProbeSpec.none]),
            expected: .success(.none)
        ),
        Row(
            label: "unknown kind wins over empty endpoint",
            model: model("a", kind: "Other", endpoint: ""),
            expected: .failure(Failure(.unknownKind("Other")))
        ),
        Row(label: "empty endpoint", model: model("a", endpoint: ""), expected: .failure(Failure(.emptyEndpoint))),
        Row(label: "blank endpoint", model: model("a", endpoint: "  "), expected: .failure(Failure(.emptyEndpoint))),
        Row(
            label: "relative endpoint",
            model: model("a", endpoint: "/llm/a"),
            expected: .failure(Failure(.invalidEndpoint))
        ),
        Row(
            label: "ftp endpoint",
            model: model("a", endpoint: "ftp://h/a"),
            expected: .failure(Failure(.invalidEndpoint))
        ),
        Row(
            label: "userinfo endpoint",
            model: model("a", endpoint: "https://u:p@h/a"),
            expected: .failure(Failure(.invalidEndpoint))
        ),
        Row(
            label: "http refused when httpsOnly",
            model: model("a", endpoint: "http://h/a"),
            httpsOnly: true,
            expected: .failure(Failure(.httpRefused))
        ),
        Row(
            label: "https kept when httpsOnly",
            model: model("a", endpoint: "https://h/a"),
            httpsOnly: true,
            expected: .success(.modelsList)
        ),
        Row(
            label: "self via wildcard listener",
            model: model("a", endpoint: "http://localhost:8080/llm/a"),
            selfAddresses: [SelfAddress(host: "0.0.0.0", port: 8080)],
            expected: .failure(Failure(.selfProbe))
        ),
        Row(
            label: "other port on the same host",
            model: model("a", endpoint: "http://localhost:8000/llm/a"),
            selfAddresses: [SelfAddress(host: "0.0.0.0", port: 8080)],
            expected: .success(.modelsList)
        ),
        Row(
            label: "self via publicURL",
            model: model("a", endpoint: "https://MAAS.apps.example.com/llm/a"),
            selfAddresses: [SelfAddress(publicURL: EndpointURL(parsing: "https://maas.apps.example.com")!)],
            expected: .failure(Failure(.selfProbe))
        ),
        Row(
            label: "httpsOnly checked before self",
            model: model("a", endpoint: "http://127.0.0.1:8080/llm/a"),
            httpsOnly: true,
            selfAddresses: [SelfAddress(host: "0.0.0.0", port: 8080)],
            expected: .failure(Failure(.httpRefused))
        ),
        Row(
            label: "self ExternalModel is excluded too",
            model: model("a", kind: "ExternalModel", endpoint: "http://[::1]:8080"),
            selfAddresses: [SelfAddress(host: "::", port: 8080)],
            expected: .failure(Failure(.selfProbe))
        ),
    ]

    @Test(arguments: rows)
    func classifiesModel(_ row: Row) {
        let selector = CandidateSelector(httpsOnly: row.httpsOnly, selfAddresses: row.selfAddresses)
        let selection = selector.select(from: CatalogSnapshot(models: [row.model], kinds: row.kinds))
        switch row.expected {
        case .success(let probe):
            #expect(selection.excluded == [])
            #expect(
                selection.candidates == [
                    Candidate(model: row.model, probe: probe, endpoint: EndpointURL(parsing: row.model.endpoint)!)
                ]
            )
        case .failure(let failure):
            #expect(selection.candidates == [])
            #expect(selection.excluded == [Exclusion(model: row.model.id, reason: failure.reason)])
        }
    }

    @Test func keepsSnapshotOrderInBothLists() {
        let models = [
            MaaSModel(namespace: "b", name: "z", modelRef: ModelRef(name: "z"), endpoint: "https://h/z"),
            MaaSModel(namespace: "a", name: "y", modelRef: ModelRef(kind: "Nope", name: "y"), endpoint: "https://h/y"),
            MaaSModel(namespace: "a", name: "x", modelRef: ModelRef(name: "x"), endpoint: "https://h/x"),
            MaaSModel(namespace: "b", name: "w", modelRef: ModelRef(name: "w"), endpoint: ""),
            MaaSModel(namespace: "a", name: "v", modelRef: ModelRef(name: "v"), endpoint: "https://h/v"),
        ]
        let selection = CandidateSelector(httpsOnly: false, selfAddresses: []).select(
            from: CatalogSnapshot(models: models)
        )
        #expect(selection.candidates.map(\.model.id.description) == ["a/v", "a/x", "b/z"])
        #expect(
            selection.excluded == [
                Exclusion(model: ModelID(namespace: "a", name: "y"), reason: .unknownKind("Nope")),
                Exclusion(model: ModelID(namespace: "b", name: "w"), reason: .emptyEndpoint),
            ]
        )
        #expect(selection.excluded.map(\.description) == ["a/y: unknown kind 'Nope'", "b/w: status.endpoint is empty"])
    }

    @Test func candidateCarriesTheParsedEndpoint() throws {
        let model = Self.model("a", endpoint: "HTTPS://Maas.Example.com:8443/llm/a?v=1")
        let selection = CandidateSelector(httpsOnly: true, selfAddresses: []).select(
            from: CatalogSnapshot(models: [model])
        )
        let candidate = try #require(selection.candidates.first)
        #expect(
            candidate.endpoint
                == EndpointURL(scheme: "https", host: "maas.example.com", port: 8443, path: "/llm/a", query: "v=1")
        )
        #expect(candidate.model == model)
    }
}
