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

    @Test func oversizedBodyIs413() throws {
        let fixture = try ForwardingFixture.start(configuration: "limits:\n  maxRequestBodyBytes: 1024\n")
        defer { fixture.cleanUp() }
        let big = ForwardingFixture.chat(model: "alpha-1", extra: #""pad":"\#(String(repeating: "x", count: 2000))""#)
        let response = try fixture.post("/v1/chat/completions", token: "Bearer alice", body: big)
        #expect(response.status == 413)
        #expect(try fixture.backendRequests(endingWith: "/v1/chat/completions").isEmpty)
    }
}
