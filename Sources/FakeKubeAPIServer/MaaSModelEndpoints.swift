import CLibevent

/// The Kubernetes API for `maasmodels` and `maasmodelrefs` of `maas.opendatahub.io/v1alpha1`, cluster-wide or in one
/// namespace (GET only): list (paged with `limit`/`continue`) and watch (`watch=1`). A resource not served
/// (`--resources`) answers 404 like any unknown path.
enum MaaSModelEndpoints {
    static let prefix = "/apis/" + ObjectStore.apiVersion

    static func handle(_ incoming: KubeRequest, server: KubeAPIServer) {
        let request = incoming.request
        // "", "apis", group, version, ["namespaces", namespace,] plural
        let parts = incoming.path.split(separator: "/", omittingEmptySubsequences: false)
        let namespace: String?
        let resource = parts.last.flatMap { FakeResource.named(String($0)) }
        switch parts.count {
        case 5 where incoming.path.hasPrefix(prefix + "/"): namespace = nil
        case 7 where incoming.path.hasPrefix(prefix + "/namespaces/") && parts[5] != "": namespace = String(parts[5])
        default: namespace = nil
        }
        guard let resource, server.served.contains(resource), [5, 7].contains(parts.count),
            incoming.path.hasPrefix(prefix + "/")
        else {
            let message = "the server could not find the requested resource"
            return KubeReply.status(request, 404, reason: "NotFound", message: message)
        }
        if parts.count == 7, namespace == nil || parts[4] != "namespaces" {
            let message = "the server could not find the requested resource"
            return KubeReply.status(request, 404, reason: "NotFound", message: message)
        }
        guard incoming.method == "GET" else {
            let message = "the server does not allow this method on the requested resource"
            return KubeReply.status(request, 405, reason: "MethodNotAllowed", message: message)
        }
        if incoming.flag("watch") { return watch(incoming, resource: resource, namespace: namespace, server: server) }
        list(incoming, resource: resource, namespace: namespace, server: server)
    }

    private static func list(
        _ incoming: KubeRequest,
        resource: FakeResource,
        namespace: String?,
        server: KubeAPIServer
    ) {
        let request = incoming.request
        let store = server.store
        let limit = max(0, incoming.query["limit"].flatMap { Int($0) } ?? 0)
        server.stats.lists += 1
        server.stats.listsByResource[resource.plural, default: 0] += 1
        server.stats.listPageSizes.append(limit)
        var version = store.resourceVersion
        var items: [ObjectStore.Entry]
        if let text = incoming.query["continue"], !text.isEmpty {
            guard let token = ContinueToken(text) else {
                return KubeReply.status(request, 400, reason: "BadRequest", message: "continue key is not valid")
            }
            guard token.resourceVersion > store.compactedThrough,
                let snapshot = store.snapshot(
                    at: token.resourceVersion,
                    resource: resource.plural,
                    namespace: namespace
                )
            else {
                let message =
                    "The provided continue parameter is too old to display a consistent list result. "
                    + "You can start a new list without the continue parameter."
                return KubeReply.status(request, 410, reason: "Expired", message: message)
            }
            version = token.resourceVersion
            items = snapshot.filter { $0.key > token.lastKey }
        } else {
            items = store.current(resource: resource.plural, namespace: namespace)
        }
        var metadata = #""resourceVersion":"\#(version)""#
        if limit > 0, items.count > limit {
            store.keepSnapshot()
            let token = ContinueToken(resourceVersion: version, lastKey: items[limit - 1].key)
            metadata += #","continue":"\#(token.encoded)","remainingItemCount":\#(items.count - limit)"#
            items = Array(items.prefix(limit))
        }
        let body =
            #"{"apiVersion":"\#(ObjectStore.apiVersion)","kind":"\#(resource.kind)List","metadata":{\#(metadata)},"#
            + #""items":[\#(items.map(\.json).joined(separator: ","))]}"#
        KubeReply.send(request, 200, body)
    }

    private static func watch(
        _ incoming: KubeRequest,
        resource: FakeResource,
        namespace: String?,
        server: KubeAPIServer
    ) {
        let request = incoming.request
        let store = server.store
        let text = incoming.query["resourceVersion"] ?? ""
        server.stats.watches += 1
        server.stats.lastWatchVersion = text
        var start = store.resourceVersion
        let backlog: [ObjectStore.Event]
        if text.isEmpty || text == "0" {
            // Like the API server for an unset or "0" version: the current objects as ADDED, then the changes.
            backlog = store.current(resource: resource.plural, namespace: namespace).map {
                ObjectStore.Event(
                    type: "ADDED",
                    resource: resource.plural,
                    namespace: $0.namespace,
                    resourceVersion: 0,
                    json: $0.json
                )
            }
        } else if let version = Int(text), version >= 0 {
            guard version > store.compactedThrough else {
                // The API server answers 200 and one ERROR event, then ends the watch.
                let message = "too old resource version: \(version) (\(store.compactedThrough))"
                let status = KubeReply.statusJSON(410, reason: "Expired", message: message)
                KubeReply.startStream(request)
                KubeReply.chunk(request, #"{"type":"ERROR","object":\#(status)}"# + "\n")
                return evhttp_send_reply_end(request)
            }
            start = version
            backlog = store.events(after: version, resource: resource.plural, namespace: namespace)
        } else {
            return KubeReply.status(request, 400, reason: "BadRequest", message: "invalid resource version: \(text)")
        }
        WatchStream.start(
            request,
            resource: resource,
            namespace: namespace,
            from: start,
            bookmarks: incoming.flag("allowWatchBookmarks"),
            backlog: backlog,
            timeoutSeconds: incoming.query["timeoutSeconds"].flatMap { Int($0) },
            server: server
        )
    }
}
