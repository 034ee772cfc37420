/// The test-facing endpoints under `/_fake/` (no auth, never recorded):
/// `GET|DELETE /_fake/requests`, `GET|DELETE /_fake/stats`, `POST /_fake/config`.
enum ControlEndpoints {
    static func handle(_ incoming: IncomingRequest, server: FakeServer) {
        ReplyWriter.send(incoming.request, reply(incoming, server: server))
    }

    private static func reply(_ incoming: IncomingRequest, server: FakeServer) -> PreparedReply {
        switch (incoming.method, incoming.path) {
        case ("GET", "/_fake/requests"):
            return .json(200, server.requestLog.json)
        case ("DELETE", "/_fake/requests"):
            server.requestLog.removeAll()
            return .json(200, #"{"cleared":true}"#)
        case ("GET", "/_fake/stats"):
            return .json(200, server.statsJSON)
        case ("DELETE", "/_fake/stats"):
            server.stats.reset()
            return .json(200, server.statsJSON)
        case ("POST", "/_fake/config"), ("PUT", "/_fake/config"):
            do {
                let config = try FakeServerConfig.load(yaml: String(decoding: incoming.body, as: UTF8.self))
                server.replaceConfig(config)
                return .json(200, #"{"models":\#(config.models.count)}"#)
            } catch {
                return .error(400, "invalid config: \(error)")
            }
        case (_, "/_fake/requests"), (_, "/_fake/stats"):
            return .error(405, "use GET or DELETE", headers: [("Allow", "GET, DELETE")])
        case (_, "/_fake/config"):
            return .error(405, "use POST", headers: [("Allow", "POST")])
        default:
            return .error(404, "unknown control endpoint \(incoming.path)")
        }
    }
}
