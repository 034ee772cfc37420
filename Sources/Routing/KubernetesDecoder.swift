import Yams

/// One page of a `maasmodels` or `maasmodelrefs` list from the Kubernetes API (SPEC 1).
public struct KubernetesListPage: Sendable, Equatable {
    public var models: [MaaSModel]
    /// The list's `metadata.resourceVersion`: where the watch that follows starts.
    public var resourceVersion: String
    /// `metadata.continue`: the next page's token, nil on the last page.
    public var continueToken: String?
    public var warnings: [String]
}

/// One event of a `maasmodels` or `maasmodelrefs` watch (newline-delimited JSON, as the API server streams it).
public enum KubernetesWatchEvent: Sendable, Equatable {
    /// ADDED or MODIFIED. `model` is nil when the object is not a usable MaaSModel (then any
    /// earlier version of `id` leaves the catalog, and `warning` says why).
    case upsert(id: ModelID, model: MaaSModel?, resourceVersion: String, warning: String?)
    case delete(id: ModelID, resourceVersion: String)
    /// A BOOKMARK: nothing changed up to this resource version.
    case bookmark(resourceVersion: String)
    /// An ERROR event carrying a `Status`; code 410 means the resource version is too old (relist).
    case failure(code: Int, message: String)
}

/// Decodes the Kubernetes API's JSON for MaaSModels and MaaSModelRefs with the same rules as
/// manifest files (`ManifestDecoder`), plus the list and watch envelopes. Pure; no I/O.
public enum KubernetesDecoder {
    public static func listPage(_ text: String, sourceName: String) throws(ManifestError) -> KubernetesListPage {
        let object = try mapping(text, sourceName: sourceName)
        guard let resourceVersion = object.mapping("metadata")?.text("resourceVersion") else {
            throw ManifestError(sourceName: sourceName, message: "the list has no metadata.resourceVersion")
        }
        var collector = ManifestCollector(sourceName: sourceName)
        collector.decodeObject(object, location: "", listDefaults: nil)
        let next = object.mapping("metadata")?.text("continue")
        return KubernetesListPage(
            models: collector.models,
            resourceVersion: resourceVersion,
            continueToken: (next?.isEmpty ?? true) ? nil : next,
            warnings: collector.warnings
        )
    }

    /// - Parameter resource: what the watch is of: the kind an object without `kind` is read as.
    public static func watchEvent(
        _ line: String,
        sourceName: String,
        resource: ModelResourceKind = .maasModel
    ) throws(ManifestError) -> KubernetesWatchEvent {
        let event = try mapping(line, sourceName: sourceName)
        guard let type = event.text("type"), let object = event.mapping("object") else {
            throw ManifestError(sourceName: sourceName, message: "a watch event without type or object")
        }
        let metadata = object.mapping("metadata")
        let resourceVersion = metadata?.text("resourceVersion") ?? ""
        switch type {
        case "BOOKMARK":
            return .bookmark(resourceVersion: resourceVersion)
        case "ERROR":
            let code = object.text("code").flatMap { Int($0) } ?? 0
            return .failure(code: code, message: object.text("message") ?? "watch error")
        case "ADDED", "MODIFIED", "DELETED":
            guard let name = metadata?.text("name"), !name.isEmpty else {
                throw ManifestError(sourceName: sourceName, message: "a \(type) event for an object without a name")
            }
            let namespace = metadata?.text("namespace").flatMap { $0.isEmpty ? nil : $0 } ?? "default"
            let id = ModelID(namespace: namespace, name: name)
            if type == "DELETED" { return .delete(id: id, resourceVersion: resourceVersion) }
            var collector = ManifestCollector(sourceName: sourceName)
            collector.decodeObject(
                object,
                location: "",
                listDefaults: ManifestCollector.ListDefaults(
                    kind: resource.rawValue,
                    apiVersion: "maas.opendatahub.io/v1alpha1"
                )
            )
            return .upsert(
                id: id,
                model: collector.models.first,
                resourceVersion: resourceVersion,
                warning: collector.warnings.first
            )
        default:
            throw ManifestError(sourceName: sourceName, message: "an unknown watch event type '\(type)'")
        }
    }

    private static func mapping(_ text: String, sourceName: String) throws(ManifestError) -> Node.Mapping {
        let node: Node?
        do {
            // JSON is YAML; `.utf8` explicitly, as ManifestDecoder does.
            node = try Parser(yaml: text, resolver: .default, constructor: .default, encoding: .utf8).singleRoot()
        } catch {
            throw ManifestError(sourceName: sourceName, message: "invalid JSON from the API server")
        }
        guard case .mapping(let mapping) = node else {
            throw ManifestError(sourceName: sourceName, message: "expected a JSON object from the API server")
        }
        return mapping
    }
}
