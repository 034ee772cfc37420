import Foundation

/// Starts fake model backends and the proxy binary as a user would, on ephemeral ports.
enum LiveHarness {
    /// A scratch directory removed when the test ends (callers `defer` the cleanup).
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("maas-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Starts `fake-model-server` with `config` (YAML) on 127.0.0.1:0 and returns it with its port.
    static func startBackend(config: String, in directory: URL, name: String = "backend") throws -> FakeBackend {
        let file = directory.appendingPathComponent("\(name)-\(UUID().uuidString).yaml")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let process = try ManagedProcess(
            product: "fake-model-server",
            arguments: ["--listen", "127.0.0.1:0", "--config", file.path, "--name", name]
        )
        guard let line = process.waitForLine(where: { $0.hasPrefix("listening ") }),
            let port = line.split(separator: ":").last.flatMap({ Int($0) })
        else { throw LiveHarnessError.didNotStart("fake-model-server", process.errorOutput) }
        return FakeBackend(process: process, port: port)
    }

    /// Starts `maas-proxy serve` with `arguments` plus ephemeral listen and admin ports.
    static func startProxy(arguments: [String]) throws -> RunningProxy {
        let process = try ManagedProcess(
            product: "maas-proxy",
            arguments: ["serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"] + arguments
        )
        guard let ready = process.waitForLine(where: { $0.contains("\"msg\":\"serving\"") }),
            let object = try? JSONSerialization.jsonObject(with: Data(ready.utf8)) as? [String: Any],
            let listen = (object["listen"] as? String)?.split(separator: ",").first,
            let port = listen.split(separator: ":").last.flatMap({ Int($0) }),
            let admin = (object["admin"] as? String)?.split(separator: ":").last.flatMap({ Int($0) })
        else { throw LiveHarnessError.didNotStart("maas-proxy", process.output + process.errorOutput) }
        return RunningProxy(process: process, port: port, adminPort: admin)
    }
}

enum LiveHarnessError: Error {
    case didNotStart(String, [String])
}

/// A running `fake-model-server` and what it can tell about the requests it saw.
struct FakeBackend {
    let process: ManagedProcess
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request the backend received, as `/_fake/requests` reports them.
    func requests() throws -> [[String: Any]] {
        let response = try RawHTTPClient(port: port).request("GET", "/_fake/requests")
        return try response.json() as? [[String: Any]] ?? []
    }

    func clearRequests() throws {
        _ = try RawHTTPClient(port: port).request("DELETE", "/_fake/requests")
    }

    func stats() throws -> [String: Int] {
        let response = try RawHTTPClient(port: port).request("GET", "/_fake/stats")
        return (try response.json() as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
    }

    func replaceConfig(_ yaml: String) throws {
        _ = try RawHTTPClient(port: port).request("POST", "/_fake/config", body: Array(yaml.utf8))
    }

    /// Requests whose URI ends with `/v1/models`: the probes this backend received.
    func probes() throws -> [[String: Any]] {
        try requests().filter { ($0["uri"] as? String)?.hasSuffix("/v1/models") == true }
    }
}

/// A running proxy with its real ports.
struct RunningProxy {
    let process: ManagedProcess
    let port: Int
    let adminPort: Int

    func get(_ target: String, headers: [(String, String)] = []) throws -> RawResponse {
        try RawHTTPClient(port: port).request("GET", target, headers: headers)
    }

    /// The ids listed for `token` by `GET /v1/models`.
    func listedIDs(token: String?, extraHeaders: [(String, String)] = []) throws -> [String] {
        let headers = (token.map { [("Authorization", $0)] } ?? []) + extraHeaders
        let response = try get("/v1/models", headers: headers)
        let object = try response.json() as? [String: Any]
        return (object?["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}
