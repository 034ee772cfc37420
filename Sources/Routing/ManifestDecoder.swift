import Yams

/// Reads MaaSModel and MaaSModelRef manifests (SPEC 1): YAML or JSON text as
/// `kubectl get maasmodels -A -o yaml` (or `maasmodelrefs`, or `-o json`) writes it, or as an
/// operator would write it by hand.
///
/// Accepted, in any number of `---`-separated documents (JSON is YAML, so a `.json` file is one
/// document; empty documents are ignored):
/// - a `MaaSModel` or `MaaSModelRef` whose `apiVersion` is `maas.opendatahub.io/<any version>`;
/// - a `List` (any `apiVersion`, as kubectl writes it) whose `items` are decoded like documents;
///   items of other kinds are skipped with a warning;
/// - a `MaaSModelList` or `MaaSModelRefList` whose items may omit `kind` and `apiVersion`, as the
///   Kubernetes API returns them; they inherit `MaaSModel` (or `MaaSModelRef`) and the list's `apiVersion`.
///
/// Objects of other kinds, lists nested in lists, and models without `metadata.name` or
/// `spec.modelRef.name` are skipped with a warning naming the source, kind and name; they never
/// make the whole source fail. Fields read: `metadata.name`, `metadata.namespace` (`default` when
/// absent or empty, as `kubectl apply` would do), `metadata.creationTimestamp` (RFC 3339 → unix
/// seconds, nil when unparsable), the annotations of SPEC 3.4 (`MaaSModel.enrichmentAnnotations`;
/// scalar values as written; nulls, sequences and mappings dropped with a warning; every other
/// annotation is dropped unread), `spec.modelRef.kind/name/namespace`, `status.phase`,
/// `status.endpoint` and `status.resolvedModelAlias` (read from either kind). Everything else
/// (`uid`, `managedFields`, `conditions`, …) is ignored.
///
/// One identity twice in one source: the later object of the same kind replaces the earlier; a
/// `MaaSModelRef` is used over a `MaaSModel` wherever each appears. Both cases are warnings.
///
/// Pure and thread-safe: no I/O, no shared state.
public enum ManifestDecoder {
    /// Decodes one source's text.
    ///
    /// - Parameter sourceName: names the source (usually the file path) in warnings and errors.
    /// - Throws: `ManifestError` on a YAML/JSON syntax error, or when a top-level document is not
    ///   a mapping; the caller then keeps the source's last good contents.
    public static func decode(_ text: String, sourceName: String) throws(ManifestError) -> DecodedManifest {
        try decodeCompact(text, sourceName: sourceName).expand()
    }

    /// Decodes like `decode` into a `CompactManifest`, whose `expand()` makes the models: call
    /// that after the parser's node tree is gone (it is, once this returns) to keep the heap compact.
    public static func decodeCompact(_ text: String, sourceName: String) throws(ManifestError) -> CompactManifest {
        try decodeCompact(text, sourceName: sourceName, splitting: text.utf8.count >= splitThreshold)
    }

    /// - Parameter splitting: try `ListSplit` first (tests compare both ways).
    static func decodeCompact(
        _ text: String,
        sourceName: String,
        splitting: Bool
    ) throws(ManifestError) -> CompactManifest {
        // A large kubectl-shaped list is parsed a batch of items at a time (see ListSplit).
        if splitting, let split = ListSplit(text),
            let compact = decodeSplit(split, sourceName: sourceName)
        {
            return compact
        }
        let documents: [Node]
        do {
            documents = try parseDocuments(text)
        } catch {
            throw ManifestError(sourceName: sourceName, message: "invalid YAML or JSON: \(summary(of: error))")
        }
        var collector = ManifestCollector(sourceName: sourceName)
        for (offset, document) in documents.enumerated() {
            let location = documents.count > 1 ? "document \(offset + 1)" : ""
            switch document {
            case .mapping(let object):
                collector.decodeObject(object, location: location, listDefaults: nil)
            case .scalar where document.isNull:
                continue
            default:
                let what = location.isEmpty ? "the document" : location
                throw ManifestError(
                    sourceName: sourceName,
                    message: "\(what) is a \(document.shapeName), expected a mapping (a Kubernetes object)"
                )
            }
        }
        return collector.compact
    }

    /// Texts at least this long are cut by `ListSplit` when they can be.
    static let splitThreshold = 64 << 10

    /// The split list decoded like the whole text would be; nil on anything unexpected (the
    /// caller then parses the whole text, which reports any error).
    static func decodeSplit(_ split: ListSplit, sourceName: String) -> CompactManifest? {
        guard let envelope = try? parseDocuments(split.envelope), envelope.count == 1,
            case .mapping(let object) = envelope[0], object[key: "items"] == nil
        else { return nil }
        var collector = ManifestCollector(sourceName: sourceName)
        switch collector.beginList(object, location: "") {
        case .notAList: return nil
        case .refused: return collector.compact
        case .list(let defaults):
            var index = 0
            for batch in split.batches {
                guard let documents = try? parseDocuments(String(batch.text)), documents.count == 1,
                    case .sequence(let items) = documents[0], items.count == batch.items
                else { return nil }
                for item in items {
                    collector.decodeItem(item, index: index, listLocation: "", defaults: defaults)
                    index += 1
                }
            }
            return collector.compact
        }
    }

    private static func parseDocuments(_ text: String) throws -> [Node] {
        // `.utf8` explicitly: the default encoding consults (and prints about) an environment variable.
        let parser = try Parser(yaml: text, resolver: .default, constructor: .default, encoding: .utf8)
        var documents: [Node] = []
        while let root = try parser.nextRoot() {
            documents.append(root)
        }
        return documents
    }

    /// The first line of a Yams error (`line:column: error: …`), without the quoted source lines.
    private static func summary(of error: any Error) -> String {
        let text = String(describing: error)
        var line = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
        while line.hasSuffix(":") || line.hasSuffix(" ") { line.removeLast() }
        return line.isEmpty ? "unreadable input" : line
    }
}
