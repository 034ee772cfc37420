import Routing
import Testing

/// `MaaSModelRef`, the upstream project's name for `MaaSModel` today (SPEC 1): read in every shape
/// a `MaaSModel` is, with `status.resolvedModelAlias`, and one model when both kinds name one identity.
@Suite struct MaaSModelRefDecodingTests {
    static func object(_ kind: String, _ name: String, ref: String? = nil, extra: String = "") -> String {
        """
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: \(kind)
        metadata: {name: \(name), namespace: ns}
        spec: {modelRef: {kind: LLMInferenceService, name: \(ref ?? name)}}
        status: {phase: Ready, endpoint: "https://e.example/llm/\(name)"\(extra)}
        """
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        /// `name:resource:modelRef.name` of each decoded model, in order.
        var models: [String]
        var warnings: Int
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "a MaaSModelRef", text: object("MaaSModelRef", "r"), models: ["r:MaaSModelRef:r"], warnings: 0),
        Case(label: "a MaaSModel", text: object("MaaSModel", "m"), models: ["m:MaaSModel:m"], warnings: 0),
        Case(
            label: "a MaaSModelRefList whose items omit kind",
            text: """
                apiVersion: maas.opendatahub.io/v1alpha1
                kind: MaaSModelRefList
                metadata: {resourceVersion: "7"}
                items:
                - metadata: {name: a, namespace: ns}
                  spec: {modelRef: {name: a}}
                - kind: MaaSModel
                  metadata: {name: b, namespace: ns}
                  spec: {modelRef: {name: b}}
                """,
            models: ["a:MaaSModelRef:a", "b:MaaSModel:b"],
            warnings: 0
        ),
        Case(
            label: "a MaaSModelList whose items omit kind",
            text: """
                apiVersion: maas.opendatahub.io/v1
                kind: MaaSModelList
                items:
                - metadata: {name: a, namespace: ns}
                  spec: {modelRef: {name: a}}
                """,
            models: ["a:MaaSModel:a"],
            warnings: 0
        ),
        Case(
            label: "a kubectl List of both kinds",
            text: """
                apiVersion: v1
                kind: List
                items:
                - {apiVersion: maas.opendatahub.io/v1alpha1, kind: MaaSModelRef, metadata: {name: a}, spec: {modelRef: {name: a}}}
                - {apiVersion: maas.opendatahub.io/v1alpha1, kind: MaaSModel, metadata: {name: b}, spec: {modelRef: {name: b}}}
                """,
            models: ["a:MaaSModelRef:a", "b:MaaSModel:b"],
            warnings: 0
        ),
        Case(
            label: "a MaaSModelRefList of another group",
            text: "apiVersion: example.com/v1\nkind: MaaSModelRefList\nitems: []\n",
            models: [],
            warnings: 1
        ),
        Case(
            label: "a MaaSModelRef of another group",
            text: object("MaaSModelRef", "r").replacingOccurrences(of: "maas.opendatahub.io", with: "example.com"),
            models: [],
            warnings: 1
        ),
        Case(
            label: "a MaaSModelRef without modelRef.name",
            text: "apiVersion: maas.opendatahub.io/v1alpha1\nkind: MaaSModelRef\nmetadata: {name: r}\nspec: {}\n",
            models: [],
            warnings: 1
        ),
        Case(
            label: "a MaaSModel, then a MaaSModelRef of the same identity",
            text: object("MaaSModel", "x", ref: "old") + "\n---\n" + object("MaaSModelRef", "x", ref: "new"),
            models: ["x:MaaSModelRef:new"],
            warnings: 1
        ),
        Case(
            label: "a MaaSModelRef, then a MaaSModel of the same identity",
            text: object("MaaSModelRef", "x", ref: "new") + "\n---\n" + object("MaaSModel", "x", ref: "old"),
            models: ["x:MaaSModelRef:new"],
            warnings: 1
        ),
        Case(
            label: "two MaaSModelRefs of the same identity: the later",
            text: object("MaaSModelRef", "x", ref: "first") + "\n---\n" + object("MaaSModelRef", "x", ref: "second"),
            models: ["x:MaaSModelRef:second"],
            warnings: 1
        ),
    ]

    @Test(arguments: cases)
    func decodes(_ example: Case) throws {
        let decoded = try ManifestDecoder.decode(example.text, sourceName: "t.yaml")
        #expect(decoded.models.map { "\($0.name):\($0.resource):\($0.modelRef.name)" } == example.models)
        #expect(decoded.warnings.count == example.warnings, "\(decoded.warnings)")
    }

    @Test func bothKindsOfOneIdentityWarnOnceNamingIt() throws {
        let decoded = try ManifestDecoder.decode(
            Self.object("MaaSModel", "x") + "\n---\n" + Self.object("MaaSModelRef", "x"),
            sourceName: "t.yaml"
        )
        #expect(
            decoded.warnings == [
                "t.yaml (document 2): MaaSModel and MaaSModelRef 'ns/x' are one model; the MaaSModelRef is used"
            ]
        )
    }

    static let aliases: [(String, String?)] = [
        (", resolvedModelAlias: publishers/llm/models/facebook/opt-125m", "publishers/llm/models/facebook/opt-125m"),
        (", resolvedModelAlias: \"\"", nil),
        (", resolvedModelAlias: null", nil),
        ("", nil),
        (", resolvedModelAlias: 42", "42"),
    ]

    @Test(arguments: aliases)
    func readsTheResolvedModelAlias(_ extra: String, _ expected: String?) throws {
        for kind in ["MaaSModelRef", "MaaSModel"] {
            let decoded = try ManifestDecoder.decode(Self.object(kind, "r", extra: extra), sourceName: "t.yaml")
            #expect(decoded.models.map(\.resolvedModelAlias) == [expected])
        }
    }

    @Test func theAliasIsStoredButNotPartOfTheListedKindOrIdentity() throws {
        let decoded = try ManifestDecoder.decode(
            Self.object("MaaSModelRef", "r", extra: ", resolvedModelAlias: publishers/llm/models/r"),
            sourceName: "t.yaml"
        )
        let model = try #require(decoded.models.first)
        #expect(model.id == ModelID(namespace: "ns", name: "r"))
        #expect(model.listedKind == "LLMInferenceService")
        #expect(model.resolvedModelAlias == "publishers/llm/models/r")
        // The initializer stays source-compatible: both new fields have defaults.
        let plain = MaaSModel(namespace: "ns", name: "r", modelRef: ModelRef(name: "r"))
        #expect(plain.resolvedModelAlias == nil && plain.resource == .maasModel)
    }

    @Test(arguments: ModelResourceKind.allCases)
    func resourceKindNames(_ kind: ModelResourceKind) {
        #expect(ModelResourceKind(listKind: kind.listKind) == kind)
        #expect(ModelResourceKind(listKind: kind.rawValue) == nil)
        #expect(kind.plural == (kind == .maasModel ? "maasmodels" : "maasmodelrefs"))
    }

    @Test func kubernetesListsAndWatchEventsOfMaaSModelRefs() throws {
        let item =
            #"{"metadata":{"name":"r","namespace":"ns","resourceVersion":"12"},"spec":{"modelRef":{"name":"r"}},"status":{"phase":"Ready","resolvedModelAlias":"publishers/x"}}"#
        let page = try KubernetesDecoder.listPage(
            #"{"apiVersion":"maas.opendatahub.io/v1alpha1","kind":"MaaSModelRefList","metadata":{"resourceVersion":"12"},"items":[\#(item)]}"#,
            sourceName: "t"
        )
        #expect(page.models.map(\.resource) == [.maasModelRef])
        #expect(page.models.first?.resolvedModelAlias == "publishers/x")
        // A watch of maasmodelrefs reads an object without kind as a MaaSModelRef.
        let event = try KubernetesDecoder.watchEvent(
            #"{"type":"ADDED","object":\#(item)}"#,
            sourceName: "t",
            resource: .maasModelRef
        )
        guard case .upsert(_, let model?, "12", nil) = event else {
            Issue.record("\(event)")
            return
        }
        #expect(model.resource == .maasModelRef)
        let typed = try KubernetesDecoder.watchEvent(
            #"{"type":"MODIFIED","object":{"apiVersion":"maas.opendatahub.io/v1alpha1","kind":"MaaSModelRef","metadata":{"name":"r","namespace":"ns","resourceVersion":"13"},"spec":{"modelRef":{"name":"r"}}}}"#,
            sourceName: "t"
        )
        guard case .upsert(_, let typedModel?, "13", nil) = typed else {
            Issue.record("\(typed)")
            return
        }
        #expect(typedModel.resource == .maasModelRef)
    }
}
