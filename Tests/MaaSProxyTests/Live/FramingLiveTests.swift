import Foundation
import Testing

/// SPEC 5.5 framing: what evhttp accepts but the proxy refuses, and requests split into tiny writes.
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

    /// What evhttp's parser refuses before any handler runs (EvhttpErrorPage) is answered in the
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
        ]
        for (request, status, code) in cases {
            let client = try RawHTTPClient(port: fixture.proxy.port)
            try client.send(request)
            let response = try client.readResponse()
            let text = String(decoding: request.prefix(40), as: UTF8.self)
            #expect(response.status == status, "\(text)")
            #expect(response.errorCode == code, "\(text)")
            #expect(response.header("Content-Type") == "application/json", "\(text)")
            #expect(response.header("Connection") == "close", "\(text)")
            #expect(response.header("X-Request-Id")?.count == 32, "\(text)")
            let error = try #require((try response.json() as? [String: Any])?["error"] as? [String: Any])
            #expect(error["type"] as? String == "invalid_request_error")
            #expect(error["param"] is NSNull)
        }
        #expect(try fixture.backendRequests(endingWith: "/v1/chat/completions").isEmpty)

        let refused = fixture.proxy.process.output.filter { $0.contains(#""route":"refused""#) }
        #expect(refused.count == cases.count)
        #expect(refused.filter { $0.contains(#""authorization":"present""#) }.count == 3)
        #expect(!fixture.proxy.process.output.joined().contains("refused-token-7f3a"))
        let scrape = try RawHTTPClient(port: fixture.proxy.adminPort).request("GET", "/metrics").bodyText
        #expect(scrape.contains(#"maas_proxy_requests_total{route="refused",model="none",status="413"} 2"#))
        #expect(scrape.contains(#"maas_proxy_requests_total{route="refused",model="none",status="431"} 1"#))
    }
}
