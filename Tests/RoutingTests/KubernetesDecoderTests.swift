import Routing
import Testing

/// The API server's list and watch envelopes (SPEC 1), decoded with the manifest rules.
@Suite struct KubernetesDecoderTests {
    static let model = #"""
        {"apiVersion":"maas.opendatahub.io/v1alpha1","kind":"MaaSModel","metadata":{"name":"m","namespace":"ns","resourceVersion":"105","uid":"u1"},"spec":{"modelRef":{"kind":"LLMInferenceService","name":"m"}},"status":{"phase":"Ready","endpoint":"https://e.example/llm/m"}}
        """#

    @Test func aListPageCarriesModelsVersionAndContinueToken() throws {
        let text =
            #"{"apiVersion":"maas.opendatahub.io/v1alpha1","kind":"MaaSModelList","metadata":{"resourceVersion":"107","continue":"abc"},"items":[\#(Self.model)]}"#
        let page = try KubernetesDecoder.listPage(text, sourceName: "t")
        #expect(page.resourceVersion == "107")
        #expect(page.continueToken == "abc")
        #expect(page.models.map(\.id.description) == ["ns/m"])
        #expect(page.models.first?.endpoint == "https://e.example/llm/m")
        let last = try KubernetesDecoder.listPage(
            #"{"kind":"MaaSModelList","apiVersion":"maas.opendatahub.io/v1alpha1","metadata":{"resourceVersion":"9","continue":""},"items":[]}"#,
            sourceName: "t"
        )
        #expect(last.continueToken == nil)
        #expect(last.models.isEmpty)
    }

    @Test func aListWithoutAResourceVersionIsAnError() {
        #expect(throws: ManifestError.self) {
            try KubernetesDecoder.listPage(#"{"kind":"MaaSModelList","items":[]}"#, sourceName: "t")
        }
    }

    @Test func watchEventsOfEveryType() throws {
        let added = try KubernetesDecoder.watchEvent(#"{"type":"ADDED","object":\#(Self.model)}"#, sourceName: "t")
        guard case .upsert(let id, let model, let version, nil) = added else {
            Issue.record("\(added)")
            return
        }
        #expect(id.description == "ns/m" && model?.isReady == true && version == "105")
        #expect(
            try KubernetesDecoder.watchEvent(
                #"{"type":"DELETED","object":{"kind":"MaaSModel","metadata":{"name":"m","namespace":"ns","resourceVersion":"110"}}}"#,
                sourceName: "t"
            ) == .delete(id: ModelID(namespace: "ns", name: "m"), resourceVersion: "110")
        )
        #expect(
            try KubernetesDecoder.watchEvent(
                #"{"type":"BOOKMARK","object":{"kind":"MaaSModel","metadata":{"resourceVersion":"120"}}}"#,
                sourceName: "t"
            ) == .bookmark(resourceVersion: "120")
        )
        #expect(
            try KubernetesDecoder.watchEvent(
                #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}}"#,
                sourceName: "t"
            ) == .failure(code: 410, message: "too old")
        )
    }

    @Test func aModifiedObjectThatIsNoLongerAModelLeavesWithAWarning() throws {
        let event = try KubernetesDecoder.watchEvent(
            #"{"type":"MODIFIED","object":{"apiVersion":"maas.opendatahub.io/v1alpha1","kind":"MaaSModel","metadata":{"name":"m","namespace":"ns","resourceVersion":"111"},"spec":{}}}"#,
            sourceName: "t"
        )
        guard case .upsert(let id, nil, "111", let warning?) = event else {
            Issue.record("\(event)")
            return
        }
        #expect(id.description == "ns/m")
        #expect(warning.contains("modelRef"))
    }

    @Test(arguments: ["not json", #"{"type":"ADDED"}"#, #"{"type":"WHAT","object":{}}"#, "[]"])
    func malformedEventsAreErrors(line: String) {
        #expect(throws: ManifestError.self) { try KubernetesDecoder.watchEvent(line, sourceName: "t") }
    }
}
