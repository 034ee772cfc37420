import Foundation

/// The test-facing endpoints under `/_fake/` (never need a token).
enum ControlAPI {
    static func handle(_ incoming: KubeRequest, server: KubeAPIServer) {
        let request = incoming.request
        let store = server.store
        switch (incoming.method, incoming.path) {
        case ("POST", "/_fake/objects"), ("PUT", "/_fake/objects"):
            switch store.put(incoming.body, served: server.served) {
            case .success(let event):
                server.publish(event)
                KubeReply.send(request, event.type == "ADDED" ? 201 : 200, event.json)
            case .failure(let error):
                KubeReply.status(request, 400, reason: "BadRequest", message: error.message)
            }
        case ("DELETE", let path) where path.hasPrefix("/_fake/objects/"):
            // /_fake/objects/NAMESPACE/NAME (a MaaSModel) or /_fake/objects/PLURAL/NAMESPACE/NAME.
            let parts = path.dropFirst("/_fake/objects/".count).split(separator: "/").map(String.init)
            let resource = parts.count == 3 ? parts[0] : FakeResource.maasModels.plural
            guard parts.count == 2 || parts.count == 3,
                let event = store.delete(
                    resource: resource,
                    namespace: parts[parts.count - 2],
                    name: parts[parts.count - 1]
                )
            else {
                return KubeReply.status(request, 404, reason: "NotFound", message: "no object at \(path)")
            }
            server.publish(event)
            KubeReply.send(request, 200, event.json)
        case ("POST", "/_fake/compact"):
            store.compact()
            let body =
                #"{"compactedResourceVersion":"\#(store.compactedThrough)","resourceVersion":"\#(store.resourceVersion)"}"#
            KubeReply.send(request, 200, body)
        case ("POST", "/_fake/drop-watches"):
            KubeReply.send(request, 200, #"{"dropped":\#(server.dropWatches())}"#)
        case ("POST", "/_fake/bookmark"):
            KubeReply.send(request, 200, #"{"bookmarks":\#(server.sendBookmarks())}"#)
        case ("POST", "/_fake/token"), ("PUT", "/_fake/token"):
            let token = String(decoding: incoming.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            server.token = token.isEmpty ? nil : token
            KubeReply.send(request, 200, #"{"auth":\#(token.isEmpty ? "false" : "true")}"#)
        case ("GET", "/_fake/stats"):
            KubeReply.send(request, 200, server.stats.json(openWatches: server.openWatches))
        default:
            KubeReply.status(
                request,
                404,
                reason: "NotFound",
                message: "unknown control endpoint \(incoming.method) \(incoming.path)"
            )
        }
    }
}
