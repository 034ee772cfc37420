import Foundation

/// One fake backend serving three models and a proxy in front of it, for the forwarding suites.
struct ForwardingFixture {
    static let backendConfig = """
        models:
          - prefix: /llm/alpha
            ids: [alpha-1]
            tokens:
              "Bearer alice": {status: 200}
              "Bearer bob": {status: 403}
            default: {status: 401}
          - prefix: /llm/beta
            ids: [shared]
            tokens:
              "Bearer alice": {status: 200}
              "Bearer bob": {status: 200}
            default: {status: 401}
          - prefix: /llm/gamma
            ids: [shared]
            tokens:
              "Bearer alice": {status: 200}
              "Bearer bob": {status: 403}
            default: {status: 401}
        """

    static func manifest(port: Int) -> String {
        func model(
            _ name: String,
            _ namespace: String,
            kind: String = "LLMInferenceService",
            phase: String = "Ready",
            endpoint: String
        ) -> String {
            """
            - apiVersion: maas.opendatahub.io/v1alpha1
              kind: MaaSModel
              metadata: {name: \(name), namespace: \(namespace)}
              spec: {modelRef: {kind: \(kind), name: \(name)}}
              status: {phase: \(phase), endpoint: "\(endpoint)"}
            """
        }
        let base = "http://127.0.0.1:\(port)"
        return "apiVersion: v1\nkind: List\nitems:\n"
            + [
                model("alpha", "team-a", endpoint: "\(base)/llm/alpha"),
                model("beta", "team-b", endpoint: "\(base)/llm/beta"),
                model("gamma", "team-c", endpoint: "\(base)/llm/gamma"),
                model("pending", "team-d", phase: "Pending", endpoint: "\(base)/llm/pending"),
                // Admitted without a probe; nothing listens on port 1, so forwarding fails.
                model("dead", "external", kind: "ExternalModel", endpoint: "http://127.0.0.1:1/dead"),
            ].joined(separator: "\n")
    }

    let directory: URL
    let backend: FakeBackend
    let proxy: RunningProxy

    /// - Parameter configuration: extra YAML for the proxy's configuration file (timeouts, limits).
    static func start(
        configuration: String = "",
        workers: Int = 2,
        backend backendYAML: String = backendConfig
    ) throws -> ForwardingFixture {
        let directory = try LiveHarness.temporaryDirectory()
        let backend = try LiveHarness.startBackend(config: backendYAML, in: directory)
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try manifest(port: backend.port).write(
            to: models.appendingPathComponent("catalog.yaml"),
            atomically: true,
            encoding: .utf8
        )
        var arguments = ["--models", models.path, "--workers", String(workers)]
        if !configuration.isEmpty {
            let file = directory.appendingPathComponent("maas-proxy.yaml")
            try configuration.write(to: file, atomically: true, encoding: .utf8)
            arguments += ["--config", file.path]
        }
        let proxy = try LiveHarness.startProxy(arguments: arguments)
        return ForwardingFixture(directory: directory, backend: backend, proxy: proxy)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// A chat completion body; `extra` is spliced into the JSON object (fake backend knobs).
    static func chat(model: String, extra: String = "") -> [UInt8] {
        let suffix = extra.isEmpty ? "" : "," + extra
        return Array(#"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}]\#(suffix)}"#.utf8)
    }

    func post(
        _ target: String,
        token: String?,
        body: [UInt8],
        headers: [(String, String)] = []
    ) throws -> RawResponse {
        let auth = token.map { [("Authorization", $0)] } ?? []
        return try RawHTTPClient(port: proxy.port).request(
            "POST",
            target,
            headers: auth + [("Content-Type", "application/json")] + headers,
            body: body
        )
    }

    /// The backend's recorded requests to paths ending in `suffix`.
    func backendRequests(endingWith suffix: String) throws -> [[String: Any]] {
        try backend.requests().filter { ($0["uri"] as? String)?.hasSuffix(suffix) == true }
    }
}

extension RawResponse {
    /// `error.code` of one of the proxy's own errors.
    var errorCode: String? {
        ((try? json() as? [String: Any])?["error"] as? [String: Any])?["code"] as? String
    }
}

/// A backend request's headers as (name, value) pairs.
func recordedHeaders(_ request: [String: Any]) -> [(String, String)] {
    (request["headers"] as? [[String]] ?? []).map { ($0[0], $0[1]) }
}

func recordedHeader(_ request: [String: Any], _ name: String) -> String? {
    recordedHeaders(request).first { $0.0.lowercased() == name.lowercased() }?.1
}
