import Foundation
import Testing

/// SPEC 5.5 framing: what evhttp accepted but the codec refuses, and requests split into tiny writes.
@Suite(.serialized)
struct FramingLiveTests {
    static let body = #"{"model":"alpha-1","messages":[]}"#

    static func send(_ fixture: ForwardingFixture, _ head: String, body: String = body) throws -> RawResponse {
        let client = try RawHTTPClient(port: fixture.proxy.port)
        try client.send(head + "\r\n" + body)
        return try client.readResponse(method: "POST")
    }

    @Test func ambiguousFramingIsRefusedBeforeRouting() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let length = Self.body.utf8.count
        let auth = "Authorization: Bearer alice\r\n"
        let cases = [
            "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n\(auth)Content-Length: \(length)\r\nContent-Length: \(length)\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n\(auth)Content-Length: +\(length)\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\n\(auth)Content-Length: \(length)\r\n",
            "POST http://127.0.0.1/v1/chat/completions HTTP/1.1\r\nHost: a\r\n\(auth)Content-Length: \(length)\r\n",
        ]
        for head in cases {
            let response = try Self.send(fixture, head)
            #expect(response.status == 400, "\(head)")
            #expect(response.errorCode == "bad_request", "\(head)")
            #expect(response.header("Content-Type") == "application/json")
        }
        let chunkedBody = "\(String(length, radix: 16))\r\n\(Self.body)\r\n0\r\n\r\n"
        let smuggled = try Self.send(
            fixture,
            "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n\(auth)Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
            body: chunkedBody
        )
        #expect(smuggled.status == 400)
        #expect(try fixture.backendRequests(endingWith: "/v1/chat/completions").isEmpty)
    }

    @Test func requestSplitIntoManySmallWritesIsForwardedWhole() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let body = Array(ForwardingFixture.chat(model: "alpha-1"))
        let head =
            "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer alice\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        let bytes = Array(head.utf8) + body
        let client = try RawHTTPClient(port: fixture.proxy.port)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 7, bytes.count)
            try client.send(Array(bytes[offset..<end]))
            offset = end
            usleep(2000)
        }
        let response = try client.readResponse(method: "POST")
        #expect(response.status == 200)
        let seen = try #require(try fixture.backendRequests(endingWith: "/v1/chat/completions").first)
        #expect(seen["body"] as? String == String(decoding: body, as: UTF8.self))
    }

    @Test func chunkedRequestBodyIsReframedWithAContentLength() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let body = Self.body
        let response = try Self.send(
            fixture,
            "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer alice\r\nTransfer-Encoding: chunked\r\n",
            body:
                "5\r\n\(body.prefix(5))\r\n\(String(body.utf8.count - 5, radix: 16))\r\n\(body.dropFirst(5))\r\n0\r\n\r\n"
        )
        #expect(response.status == 200)
        let seen = try #require(try fixture.backendRequests(endingWith: "/v1/chat/completions").first)
        #expect(recordedHeader(seen, "Content-Length") == String(body.utf8.count))
        #expect(recordedHeader(seen, "Transfer-Encoding") == nil)
        #expect(seen["body"] as? String == body)
    }

    /// What the codec refuses before any handler runs (`ServerConnection`'s refusals) is answered in the
    /// SPEC 5.5 shape, closes the connection, and gets an access line and a metric like any answer.
    @Test func requestsTheParserRefusesAreAnsweredInTheErrorShape() throws {
        let fixture = try ForwardingFixture.start(
            configuration: "limits:\n  maxRequestBodyBytes: 1024\n  maxHeaderBytes: 4096\n"
        )
        defer { fixture.cleanUp() }
        let auth = "Authorization: Bearer refused-token-7f3a\r\n"
        let big = ForwardingFixture.chat(model: "alpha-1", extra: #""pad":"\#(String(repeating: "x", count: 2000))""#)
        let chunk = String(repeating: "y", count: 800)
        let cases: [(request: [UInt8], status: Int, code: String)] = [
            (
                Array(
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n\(auth)Content-Length: \(big.count)\r\n\r\n".utf8
                )
                    + big, 413, "request_too_large"
            ),
            (
                Array(
                    ("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n\(auth)Transfer-Encoding: chunked\r\n\r\n"
                        + "320\r\n\(chunk)\r\n320\r\n\(chunk)\r\n0\r\n\r\n").utf8
                ), 413, "request_too_large"
            ),
            (
                Array(
                    "GET /v1/models HTTP/1.1\r\nHost: a\r\n\(auth)X-Pad: \(String(repeating: "p", count: 5000))\r\n\r\n"
                        .utf8
                ), 431, "headers_too_large"
            ),
            (Array("NOT AN HTTP REQUEST\r\n\r\n".utf8), 400, "bad_request"),
            (Array("GET /v1/models HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n".utf8), 400, "bad_request"),
            (Array("BREW /v1/models HTTP/1.1\r\nHost: a\r\n\r\n".utf8), 501, "method_not_supported"),
            (
                Array("BREW /v1/models HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n".utf8), 501,
                "method_not_supported"
            ),
        ]
        for (request, status, code) in cases {
            let client = try RawHTTPClient(port: fixture.proxy.port)
            try client.send(request)
            let response = try client.readResponse()
            let text = String(decoding: request.prefix(40), as: UTF8.self)
            #expect(response.status == status, "\(text)")
            #expect(response.errorCode == code, "\(text)")
            #expect(response.header("Content-Type") == "application/json", "\(text)")
            #expect(
                response.headers.filter { $0.name.lowercased() == "connection" }.map(\.value) == ["close"],
                "\(text)"
            )
            #expect(response.header("X-Request-Id")?.count == 32, "\(text)")
            let error = try #require((try response.json() as? [String: Any])?["error"] as? [String: Any])
            #expect(error["type"] as? String == "invalid_request_error")
            #expect(error["param"] is NSNull)
        }
        #expect(try fixture.backendRequests(endingWith: "/v1/chat/completions").isEmpty)

        let refused = fixture.proxy.process.settledOutput().filter { $0.contains(#""route":"refused""#) }
        #expect(refused.count == cases.count)
        #expect(refused.filter { $0.contains(#""authorization":"present""#) }.count == 3)
        #expect(!fixture.proxy.process.output.joined().contains("refused-token-7f3a"))
        let scrape = try RawHTTPClient(port: fixture.proxy.adminPort).request("GET", "/metrics").bodyText
        #expect(scrape.contains(#"maas_proxy_requests_total{route="refused",model="none",status="413"} 2"#))
        #expect(scrape.contains(#"maas_proxy_requests_total{route="refused",model="none",status="431"} 1"#))
    }

    /// `limits.requestReadTimeout` times the whole request from its first byte (from accept for a
    /// connection's first request): bytes that keep trickling in do not extend it, unlike an inactivity
    /// timeout (evhttp's 60 s). What happens after the request is whole is not timed by it.
    @Test func aRequestThatDoesNotArriveWholeInTimeIs408AndTheConnectionCloses() throws {
        let fixture = try ForwardingFixture.start(configuration: "limits:\n  requestReadTimeout: 1s\n")
        defer { fixture.cleanUp() }

        // A trickler: a byte every 100 ms for 800 ms, never finishing its head.
        let started = ContinuousClock.now
        let trickler = try RawHTTPClient(port: fixture.proxy.port)
        for byte in Array("GET /v1/mod".utf8).prefix(8) {
            try trickler.send([byte])
            usleep(100_000)
        }
        let response = try trickler.readResponse()
        let elapsed = ContinuousClock.now - started
        #expect(response.status == 408)
        #expect(response.errorCode == "request_timeout")
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("Connection") == "close")
        #expect(elapsed >= .milliseconds(900) && elapsed < .milliseconds(2500), "\(elapsed)")
        #expect(trickler.readsEndOfStream())

        // A client that sends nothing is closed without an answer it did not ask for.
        let silent = try RawHTTPClient(port: fixture.proxy.port)
        let silentStart = ContinuousClock.now
        #expect(silent.readsEndOfStream())
        #expect(ContinuousClock.now - silentStart < .milliseconds(2500))

        // A keep-alive connection idle for longer than the timeout still serves its next request,
        // and a request whose backend takes longer than the timeout is answered in full.
        let keptAlive = try RawHTTPClient(port: fixture.proxy.port)
        let auth = [("Authorization", "Bearer alice"), ("Content-Type", "application/json")]
        let first = try keptAlive.request(
            "POST",
            "/v1/chat/completions",
            headers: auth,
            body: ForwardingFixture.chat(model: "alpha-1")
        )
        #expect(first.status == 200)
        usleep(1_500_000)
        let slow = ForwardingFixture.chat(model: "alpha-1", extra: #""delay_ms":1500"#)
        let second = try keptAlive.request("POST", "/v1/chat/completions", headers: auth, body: slow)
        #expect(second.status == 200)

        let refused = fixture.proxy.process.settledOutput().filter { $0.contains(#""error":"request_timeout""#) }
        #expect(refused.count == 1)
    }

    /// A request pipelined behind an answer the client is slow to read: the answer arrives whole
    /// (nothing spliced into it, not cut off) although the wait is longer than the read deadline,
    /// and then the unfinished second request gets its 408.
    @Test func aPipelinedRequestIsTimedFromTheEndOfTheAnswerBeforeIt() throws {
        let fixture = try ForwardingFixture.start(configuration: "limits:\n  requestReadTimeout: 1s\n")
        defer { fixture.cleanUp() }
        let size = 1024 * 1024
        let body = ForwardingFixture.chat(model: "alpha-1", extra: #""response_bytes":\#(size)"#)
        let client = try RawHTTPClient(port: fixture.proxy.port)
        try client.send(
            Array(
                ("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer alice\r\n"
                    + "Content-Length: \(body.count)\r\n\r\n").utf8
            ) + body + Array("GET /v1/mod".utf8)
        )
        let head = try client.readHead()
        #expect(head.status == 200)
        // Read nothing for longer than the deadline while the answer waits to be written.
        Thread.sleep(forTimeInterval: 2.5)
        let length = try #require(head.header("Content-Length").flatMap(Int.init))
        let answer = try client.readCount(length)
        let object = try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any]
        #expect(object?["object"] as? String == "chat.completion")
        let timedOut = try client.readResponse()
        #expect(timedOut.status == 408)
        #expect(timedOut.errorCode == "request_timeout")
    }
}
