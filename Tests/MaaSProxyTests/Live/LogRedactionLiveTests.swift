import Foundation
import Testing

/// Credentials never reach the proxy's output, nor their length (SPEC 6 Logs).
@Suite struct LogRedactionLiveTests {
    @Test func aDistinctiveTokenAppearsNowhereInTheOutput() throws {
        let secret = "tok-" + String(repeating: "Zq9", count: 55)  // 169 characters
        let authorization = "Bearer \(secret)"
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try LiveHarness.startBackend(
            config: """
                models:
                  - {prefix: /m, ids: [m], tokens: {"\(authorization)": {status: 200}}, default: {status: 401}}
                """,
            in: directory
        )
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try ProbePolicyLiveTests.manifest([("m", "\(backend.baseURL)/m")])
            .write(to: models.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let proxy = try LiveHarness.startProxy(arguments: ["--models", models.path, "--log-level", "trace"])

        let sensitive = [
            ("Authorization", authorization), ("Cookie", "session=\(secret)"), ("X-Api-Key", secret),
            ("Proxy-Authorization", authorization),
        ]
        #expect(try proxy.listedIDs(token: authorization, extraHeaders: Array(sensitive.dropFirst())) == ["m"])
        _ = try proxy.get("/v1/models", headers: sensitive + [("Cache-Control", "no-cache")])
        _ = try proxy.get("/somewhere/else?key=\(secret)", headers: sensitive)
        _ = try proxy.get("/v1/models", headers: [("Authorization", "Bearer wrong-\(secret)")])
        proxy.process.signal(SIGTERM)
        #expect(proxy.process.waitForExit() == 0)
        Thread.sleep(forTimeInterval: 0.05)

        let lines = proxy.process.output + proxy.process.errorOutput
        #expect(lines.filter { $0.contains("\"msg\":\"access\"") }.count == 4)
        let fragment = String(secret.prefix(12))
        let lengths: Set<Int> = [secret.count, authorization.count, "session=\(secret)".count]
        for line in lines {
            #expect(!line.contains(fragment), "credential in: \(line.prefix(120))")
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                continue
            }
            for (key, value) in object {
                if let number = value as? NSNumber, key != "durationMs" {
                    #expect(!lengths.contains(number.intValue), "a credential length in \(key)")
                }
            }
            if object["msg"] as? String == "access" {
                #expect(object["authorization"] as? String == "present")
                #expect((object["path"] as? String)?.contains("?") == false)
            }
        }
    }
}
