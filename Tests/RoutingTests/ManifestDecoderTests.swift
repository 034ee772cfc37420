import Routing
import Testing

@Suite("ManifestDecoder")
struct ManifestDecoderTests {
    @Test func decodesKubectlObjectIgnoringServerFields() throws {
        let decoded = try ManifestDecoder.decode(ManifestFixtures.singleModel, sourceName: "opt.yaml")
        #expect(decoded.warnings == [])
        #expect(
            decoded.models == [
                MaaSModel(
                    namespace: "opendatahub",
                    name: "facebook-opt-125m-simulated",
                    creationTimestamp: 1_772_204_645,
                    // kubectl's last-applied-configuration is not read (SPEC 3.4 names what is).
                    annotations: [
                        "opendatahub.io/context-window": "2048",
                        "opendatahub.io/model-capabilities": #"["chat","completions"]"#,
                        "openshift.io/description": "A tiny simulated model for tests",
                        "openshift.io/display-name": "OPT 125M",
                    ],
                    modelRef: ModelRef(
                        kind: "LLMInferenceService",
                        name: "facebook-opt-125m-simulated",
                        namespace: "llm"
                    ),
                    phase: "Ready",
                    endpoint: "https://maas.apps.example.com/llm/facebook-opt-125m-simulated"
                )
            ]
        )
    }

    @Test func decodesKubectlListSkippingOtherKinds() throws {
        let decoded = try ManifestDecoder.decode(ManifestFixtures.kubectlList, sourceName: "all.yaml")
        #expect(
            decoded.models == [
                MaaSModel(
                    namespace: "team-a",
                    name: "granite-3-8b",
                    creationTimestamp: 1_772_352_000,
                    modelRef: ModelRef(kind: "llmisvc", name: "granite-3-8b-instruct"),
                    phase: "Ready",
                    endpoint: "http://granite.team-a.svc.cluster.local:8000"
                ),
                MaaSModel(
                    namespace: "external",
                    name: "gpt-4o",
                    creationTimestamp: 1_772_443_800,
                    modelRef: ModelRef(kind: "ExternalModel", name: "gpt-4o"),
                    phase: "Pending"
                ),
            ]
        )
        #expect(
            decoded.warnings == [
                "all.yaml (items[1]): skipped Deployment 'team-a/vllm': not a MaaSModel or MaaSModelRef"
            ]
        )
    }

    @Test func decodesKubectlJSONList() throws {
        let decoded = try ManifestDecoder.decode(ManifestFixtures.kubectlJSONList, sourceName: "all.json")
        #expect(decoded.warnings == [])
        #expect(
            decoded.models == [
                MaaSModel(
                    namespace: "models",
                    name: "llama-3-1-8b",
                    creationTimestamp: 1_772_204_645,
                    annotations: [
                        "openshift.io/display-name": "Llama 3.1 8B / instruct",
                        "opendatahub.io/context-window": "131072",
                    ],
                    modelRef: ModelRef(kind: "LLMInferenceService", name: "llama-3-1-8b", namespace: "llm"),
                    phase: "Ready",
                    endpoint: "https://maas.apps.example.com/llm/llama-3-1-8b"
                )
            ]
        )
    }

    @Test func decodesCompactJSONWithoutSpaces() throws {
        let json = #"""
            {"kind":"MaaSModelList","apiVersion":"maas.opendatahub.io/v1alpha1","items":[{"metadata":{"name":"a","namespace":"x"},"spec":{"modelRef":{"name":"a-ref","namespace":null}},"status":{"phase":"Ready","endpoint":"http://a:8000"}}]}
            """#
        let decoded = try ManifestDecoder.decode(json, sourceName: "compact.json")
        #expect(decoded.warnings == [])
        #expect(
            decoded.models == [
                MaaSModel(
                    namespace: "x",
                    name: "a",
                    modelRef: ModelRef(name: "a-ref"),
                    phase: "Ready",
                    endpoint: "http://a:8000"
                )
            ]
        )
    }

    @Test func decodesMaaSModelListWhoseItemsOmitKind() throws {
        let decoded = try ManifestDecoder.decode(ManifestFixtures.maasModelList, sourceName: "api.yaml")
        #expect(
            decoded.models.map(\.id) == [
                ModelID(namespace: "ns1", name: "alpha"), ModelID(namespace: "ns2", name: "beta"),
            ]
        )
        #expect(decoded.models.first?.modelRef == ModelRef(kind: "", name: "alpha-isvc"))
        #expect(decoded.models.first?.creationTimestamp == 1_772_204_645)
        #expect(decoded.models.last?.phase == "Failed")
        #expect(decoded.models.last?.endpoint == "")
        #expect(
            decoded.warnings == [
                "api.yaml (items[2]): skipped Secret 'ns2/provider-key': not a MaaSModel or MaaSModelRef"
            ]
        )
    }

    @Test func decodesMultiDocumentYAMLWithWarnings() throws {
        let decoded = try ManifestDecoder.decode(ManifestFixtures.multiDocument, sourceName: "models/platform.yaml")
        #expect(
            decoded.models == [
                MaaSModel(
                    namespace: "platform",
                    name: "first",
                    modelRef: ModelRef(kind: "LLMInferenceService", name: "first-isvc"),
                    phase: "Ready",
                    endpoint: "https://first.example.com/v1-prefix/"
                ),
                // metadata.namespace defaults to `default`; any maas.opendatahub.io version is read.
                MaaSModel(namespace: "default", name: "second", modelRef: ModelRef(name: "second-isvc")),
            ]
        )
        #expect(
            decoded.warnings == [
                "models/platform.yaml (document 3): skipped ConfigMap 'platform/proxy-settings': not a MaaSModel or MaaSModelRef",
                "models/platform.yaml (document 5): skipped MaaSModel 'platform/broken': spec.modelRef.name is missing",
            ]
        )
    }

    struct Skipped: Sendable, CustomTestStringConvertible {
        var label: String
        var yaml: String
        var warning: String
        var testDescription: String { label }
    }

    static let skipped: [Skipped] = [
        Skipped(
            label: "no metadata.name",
            yaml: """
                apiVersion: maas.opendatahub.io/v1alpha1
                kind: MaaSModel
                metadata:
                  namespace: ns
                spec:
                  modelRef: {name: x}
                """,
            warning: "s.yaml: skipped MaaSModel without metadata.name"
        ),
        Skipped(
            label: "empty modelRef name",
            yaml: """
                apiVersion: maas.opendatahub.io/v1alpha1
                kind: MaaSModel
                metadata: {name: m, namespace: ns}
                spec:
                  modelRef: {kind: llmisvc, name: ""}
                """,
            warning: "s.yaml: skipped MaaSModel 'ns/m': spec.modelRef.name is missing"
        ),
        Skipped(
            label: "no spec",
            yaml: """
                apiVersion: maas.opendatahub.io/v1alpha1
                kind: MaaSModel
                metadata: {name: m}
                """,
            warning: "s.yaml: skipped MaaSModel 'default/m': spec.modelRef.name is missing"
        ),
        Skipped(
            label: "other API group",
            yaml: """
                apiVersion: example.com/v1
                kind: MaaSModel
                metadata: {name: m, namespace: ns}
                spec:
                  modelRef: {name: x}
                """,
            warning: "s.yaml: skipped MaaSModel 'ns/m' with apiVersion 'example.com/v1': not maas.opendatahub.io/*"
        ),
        Skipped(
            label: "no kind",
            yaml: """
                apiVersion: v1
                metadata: {name: m}
                """,
            warning: "s.yaml: skipped an object without kind 'm'"
        ),
        Skipped(
            label: "list inside a list",
            yaml: """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: List
                  items: []
                """,
            warning: "s.yaml (items[0]): skipped List: lists inside lists are not supported"
        ),
        Skipped(
            label: "list item not an object",
            yaml: """
                apiVersion: v1
                kind: List
                items: [just-a-string]
                """,
            warning: "s.yaml (items[0]): skipped a scalar: list items must be objects"
        ),
        Skipped(
            label: "items not a sequence",
            yaml: """
                apiVersion: v1
                kind: List
                items: {a: b}
                """,
            warning: "s.yaml: skipped a list whose items is a mapping, not a sequence"
        ),
        Skipped(
            label: "MaaSModelList of another group",
            yaml: """
                apiVersion: example.com/v1
                kind: MaaSModelList
                items: []
                """,
            warning: "s.yaml: skipped MaaSModelList with apiVersion 'example.com/v1': not maas.opendatahub.io/*"
        ),
    ]

    @Test(arguments: skipped)
    func skipsObjectWithWarning(_ row: Skipped) throws {
        let decoded = try ManifestDecoder.decode(row.yaml, sourceName: "s.yaml")
        #expect(decoded.models == [])
        #expect(decoded.warnings == [row.warning])
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var messageContains: String
        var testDescription: String { label }
    }

    static let broken: [Broken] = [
        Broken(
            label: "unclosed flow sequence",
            text: "kind: List\nitems: [\n",
            messageContains: "invalid YAML or JSON"
        ),
        Broken(
            label: "unterminated quote",
            text: "kind: \"MaaSModel\nmetadata: {}\n",
            messageContains: "invalid YAML or JSON"
        ),
        Broken(
            label: "bad indentation",
            text: "kind: MaaSModel\nmetadata:\n  name: a\n bad: b\n",
            messageContains: "invalid YAML or JSON"
        ),
        Broken(
            label: "tab indentation",
            text: "kind: MaaSModel\nmetadata:\n\tname: a\n",
            messageContains: "invalid YAML or JSON"
        ),
        Broken(label: "duplicate key", text: "kind: MaaSModel\nkind: List\n", messageContains: "invalid YAML or JSON"),
        Broken(
            label: "truncated JSON",
            text: #"{"kind": "List", "items": [{"kind": "MaaSModel""#,
            messageContains: "invalid YAML or JSON"
        ),
        Broken(
            label: "top-level sequence",
            text: "- kind: MaaSModel\n",
            messageContains: "the document is a sequence, expected a mapping"
        ),
        Broken(
            label: "top-level scalar",
            text: "hello\n",
            messageContains: "the document is a scalar, expected a mapping"
        ),
        Broken(
            label: "second document not a mapping",
            text: "kind: ConfigMap\n---\n- a\n",
            messageContains: "document 2 is a sequence, expected a mapping"
        ),
    ]

    @Test(arguments: broken)
    func throwsOnUnreadableSource(_ row: Broken) {
        #expect {
            _ = try ManifestDecoder.decode(row.text, sourceName: "bad.yaml")
        } throws: { error in
            guard let error = error as? ManifestError else { return false }
            return error.sourceName == "bad.yaml" && error.message.contains(row.messageContains)
                && !error.message.contains("\n") && error.description.hasPrefix("bad.yaml: ")
        }
    }

    @Test(arguments: ["", "\n", "# only a comment\n", "---\n", "---\n---\n...\n", "--- ~\n", "null\n"])
    func emptySourcesHoldNothing(_ text: String) throws {
        #expect(try ManifestDecoder.decode(text, sourceName: "empty.yaml") == DecodedManifest())
    }

    @Test(arguments: [
        ("\"2026-02-27T15:04:05Z\"", Int64?(1_772_204_645)),
        ("2026-02-27T15:04:05Z", 1_772_204_645),
        ("\"2026-02-27T15:04:05.999999999Z\"", 1_772_204_645),
        ("\"2026-02-27T17:04:05+02:00\"", 1_772_204_645),
        ("\"2026-02-27T10:04:05.5-05:00\"", 1_772_204_645),
        ("\"2026-02-27t15:04:05z\"", 1_772_204_645),
        ("\"2026-02-27 15:04:05Z\"", 1_772_204_645),
        ("\"1970-01-01T00:00:00Z\"", 0),
        ("\"1969-12-31T23:59:59Z\"", -1),
        ("\"2024-02-29T00:00:00Z\"", 1_709_164_800),
        ("\"2023-02-29T00:00:00Z\"", nil),
        ("\"2026-13-01T00:00:00Z\"", nil),
        ("\"2026-02-27T24:00:00Z\"", nil),
        ("\"2026-02-27T15:04:05\"", nil),
        ("\"2026-02-27T15:04:05.Z\"", nil),
        ("\"2026-02-27T15:04:05+0200\"", nil),
        ("\"2026-02-27\"", nil),
        ("\"2026-2-27T15:04:05Z\"", nil),
        ("\"2026-02-27T15:04:05Z trailing\"", nil),
        ("\"yesterday\"", nil),
        ("1772204645", nil),
        ("null", nil),
    ])
    func readsCreationTimestamp(_ written: String, _ expected: Int64?) throws {
        let yaml = """
            apiVersion: maas.opendatahub.io/v1alpha1
            kind: MaaSModel
            metadata:
              name: m
              creationTimestamp: \(written)
            spec:
              modelRef: {name: m}
            """
        let decoded = try ManifestDecoder.decode(yaml, sourceName: "t.yaml")
        #expect(decoded.models.map(\.creationTimestamp) == [expected])
    }

    @Test func keepsTheEnrichmentAnnotationsStringifiedAndDropsOthers() throws {
        let yaml = """
            apiVersion: maas.opendatahub.io/v1alpha1
            kind: MaaSModel
            metadata:
              name: m
              namespace: ns
              annotations:
                opendatahub.io/context-window: 8192
                example.com/enabled: true
                example.com/list: [a, b]
                openshift.io/description: [a, b]
                opendatahub.io/genai-use-case: {a: b}
                opendatahub.io/model-capabilities: null
                openshift.io/display-name: "Model M"
            spec:
              modelRef: {name: m}
            """
        let decoded = try ManifestDecoder.decode(yaml, sourceName: "a.yaml")
        #expect(
            decoded.models.first?.annotations == [
                "opendatahub.io/context-window": "8192",
                "openshift.io/display-name": "Model M",
            ]
        )
        #expect(
            decoded.warnings == [
                "a.yaml: ignored annotation 'openshift.io/description' of MaaSModel 'ns/m': not a string",
                "a.yaml: ignored annotation 'opendatahub.io/genai-use-case' of MaaSModel 'ns/m': not a string",
                "a.yaml: ignored annotation 'opendatahub.io/model-capabilities' of MaaSModel 'ns/m': not a string",
            ]
        )
    }

    @Test func laterDuplicateInOneSourceWins() throws {
        let yaml = """
            apiVersion: maas.opendatahub.io/v1alpha1
            kind: MaaSModel
            metadata: {name: m, namespace: ns}
            spec: {modelRef: {name: old}}
            ---
            apiVersion: maas.opendatahub.io/v1alpha1
            kind: MaaSModel
            metadata: {name: other, namespace: ns}
            spec: {modelRef: {name: other}}
            ---
            apiVersion: maas.opendatahub.io/v1alpha1
            kind: MaaSModel
            metadata: {name: m, namespace: ns}
            spec: {modelRef: {name: new}}
            """
        let decoded = try ManifestDecoder.decode(yaml, sourceName: "d.yaml")
        #expect(decoded.models.map(\.modelRef.name) == ["new", "other"])
        #expect(
            decoded.warnings == [
                "d.yaml (document 3): MaaSModel 'ns/m' appears more than once in this source; the later one is used"
            ]
        )
    }

    @Test func readsEmptyNamespaceAndNullStatusAsAbsent() throws {
        let yaml = """
            apiVersion: maas.opendatahub.io/v1alpha1
            kind: MaaSModel
            metadata: {name: m, namespace: ""}
            spec:
              modelRef: {kind: ~, name: m, namespace: other}
            status:
              phase: null
              endpoint:
            """
        let decoded = try ManifestDecoder.decode(yaml, sourceName: "n.yaml")
        #expect(
            decoded.models == [
                MaaSModel(namespace: "default", name: "m", modelRef: ModelRef(kind: "", name: "m", namespace: "other"))
            ]
        )
        #expect(decoded.models.first?.refNamespace == "other")
    }
}
