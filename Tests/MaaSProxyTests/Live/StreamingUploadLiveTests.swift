import Foundation
import Testing

/// SPEC 5.3: a path-routed request body streams upstream as it arrives, memory bounded whatever
/// its size (`limits.maxRequestBodyBytes` bounds only bodies read whole, to find their model).
@Suite struct StreamingUploadLiveTests {
    static let path = "/llm/alpha/v1/chat/completions"
    /// Bodies read whole are limited to 1 MiB here; the streamed ones below are larger.
    static let configuration = "limits:\n  maxRequestBodyBytes: 1048576\n"

    static func body(bytes: Int) -> [UInt8] {
        let prefix = Array(#"{"model":"alpha-1","messages":[{"role":"user","content":""#.utf8)
        let suffix = Array(#""}]}"#.utf8)
        return prefix + [UInt8](repeating: UInt8(ascii: "x"), count: bytes - prefix.count - suffix.count) + suffix
    }

    @Test(arguments: [false, true])
    func aPathRoutedBodyLargerThanTheLimitReachesTheBackendWhole(chunked: Bool) throws {
        let fixture = try ForwardingFixture.start(configuration: Self.configuration)
        defer { fixture.cleanUp() }
        let body = Self.body(bytes: 3 << 20)
        let client = try RawHTTPClient(port: fixture.proxy.port)
        var head = "POST \(Self.path) HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer alice\r\n"
        if chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
            try client.send(Array(head.utf8))
            // Pieces of every size, as a client's writes would cut them.
            var offset = 0
            var size = 1
            while offset < body.count {
                let piece = body[offset..<min(offset + size, body.count)]
                try client.send(Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10])
                offset += piece.count
                size = size * 3 + 7
            }
            try client.send("0\r\n\r\n")
        } else {
            try client.send(Array((head + "Content-Length: \(body.count)\r\n\r\n").utf8) + body)
        }
        let response = try client.readResponse()
        #expect(response.status == 200)
        let forwarded = try #require(try fixture.backendRequests(endingWith: "/v1/chat/completions").first)
        #expect(forwarded["body_bytes"] as? Int == body.count)
        if chunked {
            #expect(recordedHeader(forwarded, "Transfer-Encoding") == "chunked")
            #expect(recordedHeader(forwarded, "Content-Length") == nil)
        } else {
            #expect(recordedHeader(forwarded, "Content-Length") == String(body.count))
        }
        let line = try #require(fixture.proxy.process.output.last { $0.contains(#""msg":"access""#) })
        #expect(line.contains(#""bytesIn":\#(body.count)"#))
        // The connection carries the next request (the body was read to its end).
        let next = try client.request("GET", "/llm/alpha/v1/models", headers: [("Authorization", "Bearer alice")])
        #expect(next.status == 200)
    }

    /// A refused caller never uploads its body: with `Expect: 100-continue` the proxy answers the
    /// refusal instead of `100 Continue`, closes, and nothing reaches the backend's inference path.
    @Test func aRefusedCallerIsAnsweredBeforeItsBodyAndTheConnectionCloses() throws {
        let fixture = try ForwardingFixture.start(configuration: Self.configuration)
        defer { fixture.cleanUp() }
        let body = Self.body(bytes: 2 << 20)
        let client = try RawHTTPClient(port: fixture.proxy.port)
        try client.send(
            "POST \(Self.path) HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer bob\r\nExpect: 100-continue\r\n"
                + "Content-Length: \(body.count)\r\n\r\n"
        )
        let response = try client.readResponse()
        #expect(response.status == 403)
        #expect(response.errorCode == "model_access_denied")
        #expect(response.header("Connection") == "close")
        #expect(client.readsEndOfStream())
        #expect(try fixture.backendRequests(endingWith: "/v1/chat/completions").isEmpty)
    }

    /// Memory follows what is in flight, not the body's size: a 48 MiB upload leaves the proxy
    /// far below the body it carried.
    @Test func aLargeUploadKeepsTheProxyMemoryBounded() throws {
        let fixture = try ForwardingFixture.start(configuration: Self.configuration)
        defer { fixture.cleanUp() }
        let before = try #require(residentBytes(of: fixture.proxy.process.pid))
        let body = Self.body(bytes: 48 << 20)
        let response = try fixture.post(Self.path, token: "Bearer alice", body: body)
        #expect(response.status == 200)
        let after = try #require(residentBytes(of: fixture.proxy.process.pid))
        // Under AddressSanitizer (CI's second run) freed buffers sit in its quarantine instead of
        // being reused, so resident memory follows the bytes that went through, not those held.
        if ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil {
            #expect(after - before < 16 << 20, "RSS grew by \(after - before) bytes")
        }
        let forwarded = try #require(try fixture.backendRequests(endingWith: "/v1/chat/completions").first)
        #expect(forwarded["body_bytes"] as? Int == body.count)
    }
}
