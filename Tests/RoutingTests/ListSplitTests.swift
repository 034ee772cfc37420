import Testing

@testable import Routing

/// `ListSplit` only cuts: decoding a kubectl-shaped list batch by batch gives exactly what the
/// whole parse gives — models, order, warnings and their `items[i]` locations — and anything
/// unexpected falls back to the whole parse (issue 13's catalog memory).
@Suite struct ListSplitTests {
    static func item(_ index: Int) -> String {
        switch index % 7 {
        case 3:
            return "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c\(index), namespace: ns}\n"
        case 5:
            // The same identity as the item before it: a duplicate warning naming both positions.
            return
                "- {apiVersion: maas.opendatahub.io/v1alpha1, kind: MaaSModelRef, metadata: {name: m\(index - 1), namespace: ns}, spec: {modelRef: {name: ref\(index)}}}\n"
        case 6:
            return "# a comment between items\n- 42\n"
        default:
            return """
                - apiVersion: maas.opendatahub.io/v1alpha1
                  kind: MaaSModel
                  metadata:
                    annotations:
                      openshift.io/display-name: "Model \(index)"
                      kubectl.kubernetes.io/last-applied-configuration: |
                        {"kind":"MaaSModel","spec":{"x":"- not an item"}}
                    name: m\(index)
                    namespace: ns
                  spec:
                    modelRef: {kind: LLMInferenceService, name: m\(index)}
                  status:
                    endpoint: "https://e.example/llm/m\(index)"
                    phase: Ready
                    resolvedModelAlias: publishers/llm/models/m\(index)

                """
        }
    }

    static func list(
        _ count: Int,
        header: String = "apiVersion: v1\n",
        trailer: String = "kind: List\nmetadata:\n  resourceVersion: \"\"\n"
    ) -> String {
        header + "items:\n" + (0..<count).map(item).joined() + trailer
    }

    static let splittable: [(String, String)] = [
        ("kubectl's List", ManifestFixtures.kubectlList),
        ("a MaaSModelList", ManifestFixtures.maasModelList),
        ("450 items in three batches", list(450)),
        ("200 items, one batch", list(200)),
        ("201 items", list(201)),
        ("kind before items", list(30, header: "apiVersion: v1\nkind: List\n", trailer: "metadata: {}\n")),
        (
            "a MaaSModelRefList",
            list(10, header: "apiVersion: maas.opendatahub.io/v1alpha1\nkind: MaaSModelRefList\n", trailer: "")
        ),
        (
            "a MaaSModelList of another group",
            list(10, header: "apiVersion: example.com/v1\nkind: MaaSModelList\n", trailer: "")
        ),
        ("CRLF line ends", list(20).replacingOccurrences(of: "\n", with: "\r\n")),
    ]

    @Test(arguments: splittable)
    func decodesLikeTheWholeParse(_ label: String, _ text: String) throws {
        let split = try #require(ListSplit(text), "\(label) was not split")
        let whole = try ManifestDecoder.decodeCompact(text, sourceName: "l.yaml", splitting: false).expand()
        let batched = try #require(ManifestDecoder.decodeSplit(split, sourceName: "l.yaml")).expand()
        #expect(batched == whole)
        #expect(try ManifestDecoder.decodeCompact(text, sourceName: "l.yaml", splitting: true).expand() == whole)
    }

    @Test func batchesHoldWholeItems() throws {
        let split = try #require(ListSplit(Self.list(450)))
        #expect(split.batches.map(\.items) == [200, 200, 50])
        #expect(split.batches.allSatisfy { $0.text.hasPrefix("- ") || $0.text.hasPrefix("- {") })
        #expect(!split.envelope.contains("items"))
    }

    static let notSplit: [(String, String)] = [
        ("several documents", ManifestFixtures.multiDocument),
        ("a document marker", "---\n" + list(5)),
        ("JSON", ManifestFixtures.kubectlJSONList),
        ("a single object", ManifestFixtures.singleModel),
        ("items indented", "apiVersion: v1\nkind: List\nitems:\n  - {kind: MaaSModel}\n"),
        ("flow items", "apiVersion: v1\nkind: List\nitems: []\n"),
        ("items twice", list(3) + "items:\n- {}\n"),
        ("a key between items: and the first item", "kind: List\nitems:\nmetadata: {}\n- {}\n"),
        ("no items", "apiVersion: v1\nkind: List\nitems:\n"),
        ("-x at column 0", "kind: List\nitems:\n-x\n"),
    ]

    @Test(arguments: notSplit)
    func otherShapesAreNotSplit(_ label: String, _ text: String) {
        #expect(ListSplit(text) == nil, "\(label)")
    }

    static let fallBack: [(String, String)] = [
        (
            "an anchor used in the same batch",
            "apiVersion: v1\nkind: List\nitems:\n- &a {apiVersion: maas.opendatahub.io/v1alpha1, kind: MaaSModel, metadata: {name: a}, spec: {modelRef: {name: a}}}\n- *a\n"
        ),
        ("an anchor used in a later batch", crossBatchAnchor),
        ("not a list", "apiVersion: v1\nkind: ConfigMap\nitems:\n- a\n- b\n"),
        ("an item continued at column 0", "apiVersion: v1\nkind: List\nitems:\n- \"abc\n- def\"\n"),
        ("a later key that does not parse", "apiVersion: v1\nkind: List\nitems:\n- {a: 1}\nmetadata: {\n"),
    ]

    static let crossBatchAnchor =
        "apiVersion: v1\nkind: List\nitems:\n- &a {apiVersion: maas.opendatahub.io/v1alpha1, kind: MaaSModel, metadata: {name: a}, spec: {modelRef: {name: a}}}\n"
        + String(repeating: "- 1\n", count: ListSplit.itemsPerBatch) + "- *a\n"

    @Test func anAnchorUsedInALaterBatchIsNotDecodedBatchByBatch() throws {
        let split = try #require(ListSplit(Self.crossBatchAnchor))
        #expect(ManifestDecoder.decodeSplit(split, sourceName: "f.yaml") == nil)
        let decoded = try ManifestDecoder.decode(Self.crossBatchAnchor, sourceName: "f.yaml")
        #expect(decoded.models.map(\.name) == ["a"])
    }

    @Test(arguments: fallBack)
    func surprisesGiveTheWholeParsesAnswer(_ label: String, _ text: String) throws {
        let whole0 = try? ManifestDecoder.decodeCompact(text, sourceName: "f.yaml", splitting: false).expand()
        if let split = ListSplit(text), let batched = ManifestDecoder.decodeSplit(split, sourceName: "f.yaml") {
            #expect(batched.expand() == whole0, "\(label)")
        }
        // The public path gives the whole parse's answer, error or not.
        let whole = Result { try ManifestDecoder.decodeCompact(text, sourceName: "f.yaml", splitting: false).expand() }
        let public_ = Result { try ManifestDecoder.decodeCompact(text, sourceName: "f.yaml", splitting: true).expand() }
        switch (whole, public_) {
        case (.success(let a), .success(let b)): #expect(a == b, "\(label)")
        case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", "\(label)")
        default: Issue.record("\(label): \(whole) vs \(public_)")
        }
    }
}
