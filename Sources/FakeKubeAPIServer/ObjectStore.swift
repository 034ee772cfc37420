import Foundation

/// The MaaSModel and MaaSModelRef objects, the resourceVersion counter (one for every resource, as etcd's revision) and the event history watches replay, as etcd and the watch
/// cache keep them for the real API server.
///
/// Every write takes the next resourceVersion (a counter from 100). `compact()` makes every version up to the current
/// one too old for watches and continue tokens; like the API server's compactor, which writes a key of its own, it
/// takes a version too, so a list after a compaction can be watched from.
final class ObjectStore {
    /// One stored object; `key` is `namespace/name`, the order of lists (etcd's key order).
    struct Entry {
        var key: String
        var resource: String
        var namespace: String
        var object: [String: Any]
        var json: String
    }

    /// A change as watches see it: `json` is the object's snapshot at `resourceVersion`.
    struct Event {
        var type: String
        var resource: String
        var namespace: String
        var resourceVersion: Int
        var json: String

        var line: String { #"{"type":"\#(type)","object":\#(json)}"# + "\n" }
    }

    static let apiVersion = "maas.opendatahub.io/v1alpha1"
    /// Paged lists kept for their continue tokens; the oldest is forgotten (its token expires) beyond this.
    static let maxSnapshots = 64

    private(set) var resourceVersion = 100
    /// The version of the newest object write (a compaction is not one): what bookmarks carry.
    private(set) var lastWriteVersion = 100
    /// Watches from a version at or below this, and continue tokens of lists at or below it, get 410 Expired.
    private(set) var compactedThrough = 0
    private var objects: [String: Entry] = [:]
    private var history: [Event] = []
    private var snapshots: [Int: [Entry]] = [:]

    /// Creates or replaces the object in `body` (JSON with `metadata.name`; `metadata.namespace` defaults to
    /// `default`). Sets `apiVersion`, `kind` when absent, a new `resourceVersion`, and `uid`/`creationTimestamp` when
    /// created. `kind` picks the resource (`MaaSModel` when absent); one of a resource not in `served` is refused.
    /// Returns the event (ADDED or MODIFIED); a reason when the body is unusable.
    func put(_ body: [UInt8], served: Set<FakeResource>) -> Result<Event, StoreError> {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return .failure(StoreError("the body is not a JSON object"))
        }
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        guard let name = metadata["name"] as? String, !name.isEmpty else {
            return .failure(StoreError("metadata.name is required"))
        }
        let namespace = (metadata["namespace"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let kind = object["kind"] as? String ?? FakeResource.maasModels.kind
        guard let resource = FakeResource.of(kind: kind), served.contains(resource) else {
            return .failure(StoreError("kind \(kind) is not served"))
        }
        let key = namespace + "/" + name
        let previous = objects[resource.plural + "/" + key]?.object["metadata"] as? [String: Any]
        metadata["namespace"] = namespace
        metadata["uid"] = previous?["uid"] ?? UUID().uuidString.lowercased()
        metadata["creationTimestamp"] =
            previous?["creationTimestamp"] ?? ISO8601DateFormatter().string(from: Date())
        object["metadata"] = metadata
        if object["apiVersion"] == nil { object["apiVersion"] = Self.apiVersion }
        object["kind"] = kind
        let entry = record(key: key, resource: resource.plural, namespace: namespace, object: object)
        objects[resource.plural + "/" + key] = entry
        return .success(appendEvent(previous == nil ? "ADDED" : "MODIFIED", entry))
    }

    /// Removes the object; its DELETED event carries the last state with a new resourceVersion.
    func delete(resource: String, namespace: String, name: String) -> Event? {
        guard let old = objects.removeValue(forKey: resource + "/" + namespace + "/" + name) else { return nil }
        return appendEvent(
            "DELETED",
            record(key: old.key, resource: resource, namespace: namespace, object: old.object)
        )
    }

    /// Makes every version up to the current one too old and forgets the paged lists.
    func compact() {
        compactedThrough = resourceVersion
        resourceVersion += 1
        history.removeAll()
        snapshots.removeAll()
    }

    /// The objects of `resource` in `namespace` (nil: all), in key order, as of now.
    func current(resource: String, namespace: String?) -> [Entry] {
        objects.values.filter { $0.resource == resource && (namespace == nil || $0.namespace == namespace) }
            .sorted { $0.key < $1.key }
    }

    /// Keeps every object as of now for the continue tokens of a paged list at this version.
    func keepSnapshot() {
        guard snapshots[resourceVersion] == nil else { return }
        if snapshots.count >= Self.maxSnapshots, let oldest = snapshots.keys.min() { snapshots[oldest] = nil }
        snapshots[resourceVersion] = objects.values.sorted { $0.key < $1.key }
    }

    /// The objects of `resource` in `namespace` as of `version`, in key order; nil once that list is forgotten or
    /// compacted.
    func snapshot(at version: Int, resource: String, namespace: String?) -> [Entry]? {
        snapshots[version]?.filter { $0.resource == resource && (namespace == nil || $0.namespace == namespace) }
    }

    /// The changes of `resource` in `namespace` (nil: all) after `version`, oldest first. Complete for
    /// `version >= compactedThrough`.
    func events(after version: Int, resource: String, namespace: String?) -> [Event] {
        history.filter {
            $0.resourceVersion > version && $0.resource == resource && (namespace == nil || $0.namespace == namespace)
        }
    }

    private func record(key: String, resource: String, namespace: String, object: [String: Any]) -> Entry {
        resourceVersion += 1
        var object = object
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        metadata["resourceVersion"] = String(resourceVersion)
        object["metadata"] = metadata
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        return Entry(
            key: key,
            resource: resource,
            namespace: namespace,
            object: object,
            json: String(decoding: data ?? Data(), as: UTF8.self)
        )
    }

    private func appendEvent(_ type: String, _ entry: Entry) -> Event {
        let event = Event(
            type: type,
            resource: entry.resource,
            namespace: entry.namespace,
            resourceVersion: resourceVersion,
            json: entry.json
        )
        history.append(event)
        lastWriteVersion = resourceVersion
        return event
    }
}

/// Why a control write was refused (answered 400).
struct StoreError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
