import Foundation
import Testing

/// Token usage accounting end to end (SPEC 7): the access line and the metrics after a streamed and
/// a non-streamed call of each format, the forced `include_usage`, streams that end early.
@Suite(.serialized)
struct UsageLiveTests {
    static let backendConfig = """
        models:
          - prefix: /llm/u
            ids: [usage-model]
            tokens:
              "Bearer alice": {status: 200}
            default: {status: 401}
            streamChunks: 4
        """

    struct Fixture {
        let directory: URL
        let backend: FakeBackend
        let proxy: RunningProxy

        static func start(configuration: String = "") throws -> Fixture {
            let directory = try LiveHarness.temporaryDirectory()
            let backend = try LiveHarness.startBackend(config: UsageLiveTests.backendConfig, in: directory)
            let models = directory.appendingPathComponent("models.yaml")
            try ProbePolicyLiveTests.manifest([("u", "\(backend.baseURL)/llm/u")])
                .write(to: models, atomically: true, encoding: .utf8)
            let file = directory.appendingPathComponent("maas-proxy.yaml")
            let key = directory.appendingPathComponent("credential-id.key")
            try "k3y\n".write(to: key, atomically: true, encoding: .utf8)
            try ("usage:\n  credentialIdKeyFile: \(key.path)\n" + configuration)
                .write(to: file, atomically: true, encoding: .utf8)
            let proxy = try LiveHarness.startProxy(arguments: [
                "--models", models.path, "--workers", "1", "--config", file.path,
            ])
            return Fixture(directory: directory, backend: backend, proxy: proxy)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }

        /// POSTs `body` to `path` with a request id of its own; returns the response and its access line.
        func call(
            _ path: String,
            _ body: String,
            headers: [(String, String)] = []
        ) throws -> (RawResponse, [String: Any]) {
            let requestID = "usage-\(UUID().uuidString.prefix(8))"
            let response = try RawHTTPClient(port: proxy.port).request(
                "POST",
                path,
                headers: [
                    ("Authorization", "Bearer alice"), ("Content-Type", "application/json"),
                    ("X-Request-Id", requestID),
                ] + headers,
                body: Array(body.utf8)
            )
            return (response, try accessLine(requestID))
        }

        func accessLine(_ requestID: String) throws -> [String: Any] {
            var found: [String: Any]?
            _ = eventually {
                found =
                    proxy.process.output.lazy.compactMap { line -> [String: Any]? in
                        guard line.contains(requestID),
                            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                            object["msg"] as? String == "access"
                        else { return nil }
                        return object
                    }.first
                return found != nil
            }
            return try #require(found, "no access line for \(requestID)")
        }

        /// Every `maas_proxy_tokens_total` / `usage_missing_total` sample, by its label text.
        func tokenSamples() throws -> [String: Int] {
            let scrape = try RawHTTPClient(port: proxy.adminPort).request("GET", "/metrics").bodyText
            var samples: [String: Int] = [:]
            for line in scrape.split(separator: "\n")
            where line.hasPrefix("maas_proxy_tokens_total{") || line.hasPrefix("maas_proxy_usage_missing_total{")
                || line.hasPrefix("maas_proxy_time_to_first_token_seconds_count{")
                || line.hasPrefix("maas_proxy_time_per_output_token_seconds_count{")
            {
                let parts = line.split(separator: " ")
                samples[String(parts[0])] = Int(Double(parts[1]) ?? -1)
            }
            return samples
        }
    }

    static func tokens(_ line: [String: Any]) -> [Int?] {
        ["inputTokens", "outputTokens", "cachedInputTokens"].map { (line[$0] as? NSNumber)?.intValue }
    }

    static func bodyBytes(_ body: String) -> Int { max(1, body.utf8.count / 4) }

    // MARK: Non-streamed answers of each format

    @Test(
        arguments: [
            (
                "/v1/chat/completions",
                #"{"model":"usage-model","messages":[{"role":"user","content":"hi"}],"cached_tokens":3}"#, 7, 3
            ),
            ("/v1/completions", #"{"model":"usage-model","prompt":"hello there"}"#, 7, nil),
            ("/v1/responses", #"{"model":"usage-model","input":"hello","cached_tokens":2}"#, 7, 2),
            ("/v1/messages", #"{"model":"usage-model","max_tokens":9,"messages":[],"cached_tokens":4}"#, 7, 4),
        ] as [(String, String, Int, Int?)]
    )
    func aNonStreamedAnswerIsCountedOnItsLineAndInTheMetrics(
        path: String,
        body: String,
        output: Int,
        cached: Int?
    ) throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let (response, line) = try fixture.call(path, body)
        #expect(response.status == 200)
        let input = Self.bodyBytes(body)
        // The Responses API's fake reports cached 0 when not asked; messages' cache_read likewise.
        let expectedCached = cached ?? (path == "/v1/chat/completions" || path == "/v1/completions" ? nil : 0)
        #expect(Self.tokens(line) == [input, output, expectedCached])
        #expect(line["ttftMs"] == nil)
        // python3: hmac.new(b"k3y", b"Bearer alice", hashlib.sha256).hexdigest()[:16]
        #expect(line["credentialId"] as? String == "ea213ff604b4c4f6")
        let samples = try fixture.tokenSamples()
        #expect(samples[#"maas_proxy_tokens_total{model="live/u",type="input"}"#] == input)
        #expect(samples[#"maas_proxy_tokens_total{model="live/u",type="output"}"#] == output)
        #expect(samples[#"maas_proxy_tokens_total{model="live/u",type="cached_input"}"#] == expectedCached ?? 0)
        #expect(samples[#"maas_proxy_usage_missing_total{model="live/u"}"#] == 0)
    }

    @Test func embeddingsAreCountedAsInputAndBodyRoutingCountsToo() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let body = #"{"model":"usage-model","input":["a","b"]}"#
        let (response, line) = try fixture.call("/v1/embeddings", body)
        #expect(response.status == 200)
        #expect(line["route"] as? String == "body")
        #expect(Self.tokens(line) == [Self.bodyBytes(body), nil, nil])
    }

    @Test func anAnswerWithoutUsageIsCountedMissingAndInventsNoZeros() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let (response, line) = try fixture.call("/llm/u/v1/chat/completions", #"{"model":"x","omit_usage":true}"#)
        #expect(response.status == 200)
        #expect(Self.tokens(line) == [nil, nil, nil])
        // Not an inference call: not metered, not missing.
        _ = try fixture.proxy.get("/llm/u/v1/models", headers: [("Authorization", "Bearer alice")])
        let samples = try fixture.tokenSamples()
        #expect(samples[#"maas_proxy_usage_missing_total{model="live/u"}"#] == 1)
        #expect(samples.filter { $0.key.hasPrefix("maas_proxy_tokens_total") && $0.value != 0 }.isEmpty)
    }

    @Test func withUsageDisabledNothingIsScannedCountedOrLogged() throws {
        let fixture = try Fixture.start(configuration: "  enabled: false\n")
        defer { fixture.cleanUp() }
        let (json, jsonLine) = try fixture.call("/v1/chat/completions", #"{"model":"usage-model"}"#)
        let (stream, streamLine) = try fixture.call(
            "/v1/chat/completions",
            #"{"model":"usage-model","stream":true,"stream_options":{"include_usage":true}}"#
        )
        #expect(json.status == 200)
        #expect(stream.status == 200)
        for line in [jsonLine, streamLine] {
            #expect(Self.tokens(line) == [nil, nil, nil])
            #expect(line["ttftMs"] == nil)
            // The caller is still identified.
            #expect(line["credentialId"] as? String == "ea213ff604b4c4f6")
        }
        #expect(try fixture.tokenSamples().isEmpty)
    }

    // MARK: Streams

    @Test(arguments: [
        // (path, extra JSON, input counted, output)
        ("/v1/chat/completions", #","stream_options":{"include_usage":true}"#, true, 4),
        ("/v1/chat/completions", #","stream_options":{"continuous_usage_stats":true}"#, true, 4),
        ("/v1/completions", #","stream_options":{"include_usage":true}"#, true, 4),
        ("/v1/responses", "", true, 4),
        ("/v1/messages", "", true, 4),
    ])
    func aStreamedAnswerIsCountedWithItsTimeToFirstToken(path: String, extra: String, _: Bool, output: Int) throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let body = #"{"model":"usage-model","stream":true,"chunk_interval_ms":5"# + extra + "}"
        let (response, line) = try fixture.call(path, body)
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/event-stream") == true)
        let tokens = Self.tokens(line)
        #expect(tokens[0] == Self.bodyBytes(body))
        #expect(tokens[1] == output)
        let ttft = try #require(line["ttftMs"] as? NSNumber).doubleValue
        #expect(ttft >= 0 && ttft < 5000)
        let samples = try fixture.tokenSamples()
        #expect(samples[#"maas_proxy_time_to_first_token_seconds_count{model="live/u"}"#] == 1)
        #expect(samples[#"maas_proxy_time_per_output_token_seconds_count{model="live/u"}"#] == 1)
        #expect(samples[#"maas_proxy_tokens_total{model="live/u",type="output"}"#] == output)
    }

    @Test func aStreamWithoutIncludeUsageIsMissingUnlessTheProxyAddsIt() throws {
        let plain = try Fixture.start()
        defer { plain.cleanUp() }
        let body = #"{"model":"usage-model","stream":true}"#
        let (_, line) = try plain.call("/v1/chat/completions", body)
        #expect(Self.tokens(line) == [nil, nil, nil])
        #expect(line["ttftMs"] != nil)
        let samples = try plain.tokenSamples()
        #expect(samples[#"maas_proxy_usage_missing_total{model="live/u"}"#] == 1, "\(samples)")

        let forced = try Fixture.start(configuration: "  forceStreamUsage: true\n")
        defer { forced.cleanUp() }
        // Body routed and path routed (the path-routed body is then read whole to be rewritten).
        for path in ["/v1/chat/completions", "/llm/u/v1/chat/completions"] {
            let (response, line) = try forced.call(path, body)
            #expect(response.status == 200)
            #expect(response.bodyText.contains(#""choices":[],"usage""#))
            #expect(Self.tokens(line)[1] == 4, "\(path)")
        }
        let seen = try forced.backend.requests().filter {
            ($0["uri"] as? String)?.hasSuffix("/chat/completions") == true
        }
        #expect(seen.count == 2)
        for request in seen {
            #expect(
                request["body"] as? String
                    == #"{"model":"usage-model","stream":true,"stream_options":{"include_usage":true}}"#
            )
        }
        // Not a completion: left as sent.
        let (_, messages) = try forced.call("/v1/messages", #"{"model":"usage-model","stream":true}"#)
        #expect(Self.tokens(messages)[1] == 4)
        let last = try #require(try forced.backend.requests().last)
        #expect(last["body"] as? String == #"{"model":"usage-model","stream":true}"#)
    }

    @Test func aStreamEndedEarlyKeepsWhatItReported() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        // The backend breaks off after 2 of 5 events, each with the usage so far.
        let cutID = "usage-cut-\(UUID().uuidString.prefix(6))"
        let cutBody =
            #"{"model":"usage-model","stream":true,"n_chunks":5,"abort_after_chunks":2,"stream_options":{"continuous_usage_stats":true}}"#
        _ = try? RawHTTPClient(port: fixture.proxy.port).request(
            "POST",
            "/v1/chat/completions",
            headers: [("Authorization", "Bearer alice"), ("X-Request-Id", cutID)],
            body: Array(cutBody.utf8)
        )
        let cut = try fixture.accessLine(cutID)
        #expect(cut["aborted"] as? Bool == true)
        #expect(Self.tokens(cut)[1] == 2)
        // A client that leaves mid-stream: its line has what was seen, and no usage is missing-counted
        // for the cut stream that reported some.
        let requestID = "usage-gone-\(UUID().uuidString.prefix(6))"
        let client = try RawHTTPClient(port: fixture.proxy.port)
        let body =
            #"{"model":"usage-model","stream":true,"n_chunks":50,"chunk_interval_ms":20,"stream_options":{"continuous_usage_stats":true}}"#
        try client.send(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice\r\nX-Request-Id: \(requestID)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        )
        _ = try client.readHead()
        _ = try client.readChunk()
        _ = try client.readChunk()
        client.closeNow()
        let gone = try fixture.accessLine(requestID)
        #expect(gone["clientGone"] as? Bool == true)
        let output = try #require(Self.tokens(gone)[1])
        #expect(output >= 1 && output < 50)
        // A stream left before any usage: missing.
        let silentID = "usage-silent-\(UUID().uuidString.prefix(6))"
        let silent = try RawHTTPClient(port: fixture.proxy.port)
        let plain = #"{"model":"usage-model","stream":true,"n_chunks":50,"chunk_interval_ms":20}"#
        try silent.send(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice\r\nX-Request-Id: \(silentID)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(plain.utf8.count)\r\n\r\n\(plain)"
        )
        _ = try silent.readHead()
        _ = try silent.readChunk()
        silent.closeNow()
        let silentLine = try fixture.accessLine(silentID)
        #expect(Self.tokens(silentLine) == [nil, nil, nil])
        #expect(try fixture.tokenSamples()[#"maas_proxy_usage_missing_total{model="live/u"}"#] == 1)
    }

    @Test func theSubscriptionTheCallerNamedIsLoggedSanitised() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        let (_, line) = try fixture.call(
            "/llm/u/v1/chat/completions",
            #"{"model":"usage-model"}"#,
            headers: [
                ("X-MaaS-Subscription", "gold"),
                ("X-MaaS-Subscription", "team-\u{85}" + String(repeating: "p", count: 80)),
            ]
        )
        #expect(line["subscription"] as? String == "team-" + String(repeating: "p", count: 58))
    }

    @Test func theUsageReportScriptSumsTheLogPerCallerAndModel() throws {
        let fixture = try Fixture.start()
        defer { fixture.cleanUp() }
        var input = 0
        for content in ["a", "bb"] {
            let body = #"{"model":"usage-model","messages":[{"role":"user","content":"\#(content)"}]}"#
            input += Self.bodyBytes(body)
            _ = try fixture.call("/v1/chat/completions", body)
        }
        _ = try fixture.call("/v1/chat/completions", #"{"model":"usage-model","omit_usage":true}"#)
        _ = try fixture.call(
            "/v1/embeddings",
            #"{"model":"usage-model","input":"x"}"#,
            headers: [("X-MaaS-Subscription", "gold")]
        )
        let log = fixture.directory.appendingPathComponent("proxy.log")
        try (fixture.proxy.process.output.joined(separator: "\n") + "\n").write(
            to: log,
            atomically: true,
            encoding: .utf8
        )
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [root.appendingPathComponent("scripts/usage-report.sh").path, log.path]
        let pipe = Pipe()
        script.standardOutput = pipe
        try script.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        script.waitUntilExit()
        #expect(script.terminationStatus == 0)
        let rows = output.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        #expect(rows.first?.first == "credentialId")
        let id = "ea213ff604b4c4f6"
        #expect(rows.contains([id, "", "live/u", "3", String(input), "14", "0", "1"]), "\(rows)")
        let embedding = Self.bodyBytes(#"{"model":"usage-model","input":"x"}"#)
        #expect(rows.contains([id, "gold", "live/u", "1", String(embedding), "0", "0", "0"]), "\(rows)")
    }
}
