import Yams

/// The accumulating state of one `ManifestDecoder.decode` call: models (in a `CompactManifest`),
/// their positions for duplicate detection, and warnings.
struct ManifestCollector {
    /// What items of a `MaaSModelList` or `MaaSModelRefList` inherit when they omit `kind`/`apiVersion`.
    struct ListDefaults {
        var kind: String
        var apiVersion: String
    }

    static let group = "maas.opendatahub.io/"

    let sourceName: String
    private(set) var compact = CompactManifest()
    private var positions: [ModelID: Int] = [:]

    var warnings: [String] { compact.warnings }

    /// The models, built from `compact` (for the small sources: API pages, watch events).
    var models: [MaaSModel] { compact.expand().models }

    init(sourceName: String) {
        self.sourceName = sourceName
    }

    /// How a top-level object starts a list (see `beginList`).
    enum ListStart {
        /// A list: decode its items with these defaults.
        case list(ListDefaults)
        /// A list of models from another group: skipped with a warning, items unread.
        case refused
        /// Not a list at all.
        case notAList
    }

    /// Decodes one object: a MaaSModel or MaaSModelRef, a list of objects, or something to skip
    /// with a warning. `listDefaults` is non-nil exactly for items of a list.
    mutating func decodeObject(_ object: Node.Mapping, location: String, listDefaults: ListDefaults?) {
        let inList = listDefaults != nil
        let kind = object.text("kind") ?? listDefaults?.kind ?? ""
        if kind == "List" || ModelResourceKind(listKind: kind) != nil {
            if inList {
                warn(location, "skipped \(kind)\(Self.label(of: object)): lists inside lists are not supported")
            } else if case .list(let defaults) = beginList(object, location: location) {
                decodeItems(of: object, location: location, defaults: defaults)
            }
            return
        }
        let apiVersion = object.text("apiVersion") ?? listDefaults?.apiVersion ?? ""
        let label = Self.label(of: object)
        if let resource = ModelResourceKind(rawValue: kind) {
            guard apiVersion.hasPrefix(Self.group) else {
                warn(location, "skipped \(kind)\(label) with apiVersion '\(apiVersion)': not \(Self.group)*")
                return
            }
            decodeModel(object, resource: resource, location: location)
        } else if kind.isEmpty {
            warn(location, "skipped an object without kind\(label)")
        } else {
            warn(location, "skipped \(kind)\(label): not a MaaSModel or MaaSModelRef")
        }
    }

    /// What a top-level object's `kind` and `apiVersion` make of it as a list: a `List` (any
    /// `apiVersion`), a `MaaSModelList`/`MaaSModelRefList` of this group, or one of another group
    /// (warned about here).
    mutating func beginList(_ object: Node.Mapping, location: String) -> ListStart {
        let kind = object.text("kind") ?? ""
        let apiVersion = object.text("apiVersion") ?? ""
        if kind == "List" { return .list(ListDefaults(kind: "", apiVersion: "")) }
        guard let itemKind = ModelResourceKind(listKind: kind) else { return .notAList }
        guard apiVersion.hasPrefix(Self.group) else {
            warn(location, "skipped \(kind) with apiVersion '\(apiVersion)': not \(Self.group)*")
            return .refused
        }
        return .list(ListDefaults(kind: itemKind.rawValue, apiVersion: apiVersion))
    }

    /// Decodes item `index` of a list whose own location is `listLocation`.
    mutating func decodeItem(_ item: Node, index: Int, listLocation: String, defaults: ListDefaults) {
        let location = listLocation.isEmpty ? "items[\(index)]" : "\(listLocation), items[\(index)]"
        guard case .mapping(let object) = item else {
            warn(location, "skipped a \(item.shapeName): list items must be objects")
            return
        }
        decodeObject(object, location: location, listDefaults: defaults)
    }

    private mutating func decodeItems(of list: Node.Mapping, location: String, defaults: ListDefaults) {
        guard let items = list[key: "items"], !items.isNull else { return }
        guard case .sequence(let sequence) = items else {
            warn(location, "skipped a list whose items is a \(items.shapeName), not a sequence")
            return
        }
        for (index, item) in sequence.enumerated() {
            decodeItem(item, index: index, listLocation: location, defaults: defaults)
        }
    }

    private mutating func decodeModel(_ object: Node.Mapping, resource: ModelResourceKind, location: String) {
        let metadata = object.mapping("metadata")
        guard let name = metadata?.text("name"), !name.isEmpty else {
            warn(location, "skipped \(resource) without metadata.name")
            return
        }
        let writtenNamespace = metadata?.text("namespace") ?? ""
        let namespace = writtenNamespace.isEmpty ? "default" : writtenNamespace
        let id = ModelID(namespace: namespace, name: name)
        let modelRef = object.mapping("spec")?.mapping("modelRef")
        guard let refName = modelRef?.text("name"), !refName.isEmpty else {
            warn(location, "skipped \(resource) '\(id)': spec.modelRef.name is missing")
            return
        }
        let status = object.mapping("status")
        let alias = status?.text("resolvedModelAlias")
        let position = compact.append(
            CompactManifest.Fields(
                namespace: namespace,
                name: name,
                creationTimestamp: metadata?.text("creationTimestamp").flatMap(RFC3339.unixSeconds),
                refKind: modelRef?.text("kind") ?? "",
                refName: refName,
                refNamespace: modelRef?.text("namespace"),
                phase: status?.text("phase") ?? "",
                endpoint: status?.text("endpoint") ?? "",
                alias: (alias?.isEmpty ?? true) ? nil : alias,
                annotations: annotations(of: metadata, model: id, resource: resource, location: location),
                resource: resource
            )
        )
        guard let earlier = positions[id] else {
            positions[id] = position
            return
        }
        let previous = compact.resource(at: earlier)
        if previous == resource {
            warn(location, "\(resource) '\(id)' appears more than once in this source; the later one is used")
            compact.replace(at: earlier)
            return
        }
        // SPEC 1: a MaaSModel and a MaaSModelRef of one identity are one model, the MaaSModelRef wins.
        warn(location, "MaaSModel and MaaSModelRef '\(id)' are one model; the MaaSModelRef is used")
        if resource.precedence > previous.precedence {
            compact.replace(at: earlier)
        } else {
            compact.dropLast()
        }
    }

    /// The annotations of SPEC 3.4 (`MaaSModel.enrichmentAnnotations`); every other one is dropped
    /// unread, whatever its value.
    private mutating func annotations(
        of metadata: Node.Mapping?,
        model: ModelID,
        resource: ModelResourceKind,
        location: String
    ) -> [(key: String, value: String)] {
        guard let node = metadata?[key: "annotations"], !node.isNull else { return [] }
        guard case .mapping(let mapping) = node else {
            warn(location, "ignored metadata.annotations of \(resource) '\(model)': not a mapping")
            return []
        }
        var annotations: [(key: String, value: String)] = []
        for (key, value) in mapping {
            guard let keyText = key.text, MaaSModel.enrichmentAnnotations.contains(keyText) else { continue }
            guard let valueText = value.text else {
                warn(location, "ignored annotation '\(keyText)' of \(resource) '\(model)': not a string")
                continue
            }
            annotations.append((keyText, valueText))
        }
        return annotations
    }

    private mutating func warn(_ location: String, _ message: String) {
        compact.warnings.append(
            location.isEmpty ? "\(sourceName): \(message)" : "\(sourceName) (\(location)): \(message)"
        )
    }

    /// ` 'namespace/name'`, ` 'name'` or nothing, for warnings about skipped objects.
    private static func label(of object: Node.Mapping) -> String {
        let metadata = object.mapping("metadata")
        guard let name = metadata?.text("name"), !name.isEmpty else { return "" }
        if let namespace = metadata?.text("namespace"), !namespace.isEmpty { return " '\(namespace)/\(name)'" }
        return " '\(name)'"
    }
}

extension Node {
    /// A scalar's text as written (`8192`, `true` and `"x"` alike); nil for nulls and collections.
    var text: String? {
        guard case .scalar(let scalar) = self, !isNull else { return nil }
        return scalar.string
    }

    /// `~`, `null`, an empty value, or JSON `null`.
    var isNull: Bool {
        guard case .scalar = self else { return false }
        return tag.rawValue == Tag.Name.null.rawValue
    }

    /// For messages: what a node is instead of what was expected.
    var shapeName: String {
        switch self {
        case .scalar: return isNull ? "null" : "scalar"
        case .sequence: return "sequence"
        case .mapping: return "mapping"
        case .alias: return "alias"
        }
    }
}

extension Node.Mapping {
    /// The value for a plain string key, compared by text so quoted (JSON) and plain keys match.
    subscript(key key: String) -> Node? {
        first { $0.key.text == key }?.value
    }

    func text(_ key: String) -> String? { self[key: key]?.text }

    func mapping(_ key: String) -> Node.Mapping? {
        guard case .mapping(let mapping) = self[key: key] else { return nil }
        return mapping
    }
}
