import AccessCheck
import Testing

@testable import MaaSProxy

/// SPEC 5.3–5.5 rules that need no sockets: header rewriting and framing checks.
@Suite struct ForwardingRulesTests {
    private func names(_ headers: [HTTPHeader]) -> [String] { headers.map { $0.name.lowercased() } }

    @Test func upstreamHeadersDropHopByHopForgeableAndReframedOnes() {
        let received = [
            HTTPHeader("Host", "proxy.example"), HTTPHeader("Connection", "keep-alive, X-Secret"),
            HTTPHeader("X-Secret", "s"), HTTPHeader("Keep-Alive", "timeout=5"), HTTPHeader("TE", "trailers"),
            HTTPHeader("Trailer", "x"), HTTPHeader("Transfer-Encoding", "chunked"), HTTPHeader("Upgrade", "h2c"),
            HTTPHeader("Proxy-Authorization", "p"), HTTPHeader("Proxy-Connection", "keep-alive"),
            HTTPHeader("X-MaaS-Username", "root"), HTTPHeader("x-maas-group", "admins"),
            HTTPHeader("Content-Length", "999"), HTTPHeader("Expect", "100-continue"),
            HTTPHeader("Authorization", "Bearer t"), HTTPHeader("X-Forwarded-For", "10.0.0.1"),
            HTTPHeader("X-Forwarded-For", "10.0.0.2"), HTTPHeader("X-Forwarded-Proto", "https"),
            HTTPHeader("X-Request-Id", "old"), HTTPHeader("Accept", "text/event-stream"),
        ]
        let rewritten = UpstreamHeaders.rewrite(
            received,
            host: "backend:8000",
            clientAddress: "192.0.2.7",
            scheme: "http",
            requestID: "rid",
            bodyLength: 12
        )
        #expect(
            rewritten == [
                HTTPHeader("Host", "backend:8000"), HTTPHeader("Authorization", "Bearer t"),
                HTTPHeader("Accept", "text/event-stream"),
                HTTPHeader("X-Forwarded-For", "10.0.0.1, 10.0.0.2, 192.0.2.7"),
                HTTPHeader("X-Forwarded-Proto", "http"), HTTPHeader("X-Forwarded-Host", "proxy.example"),
                HTTPHeader("X-Request-Id", "rid"), HTTPHeader("Content-Length", "12"),
            ]
        )
    }

    @Test func bodylessRequestGetsNoContentLength() {
        let rewritten = UpstreamHeaders.rewrite(
            [HTTPHeader("Host", "h")],
            host: "b",
            clientAddress: "",
            scheme: "https",
            requestID: "r",
            bodyLength: nil
        )
        #expect(!names(rewritten).contains("content-length"))
        #expect(!names(rewritten).contains("x-forwarded-for"))
        #expect(rewritten.contains(HTTPHeader("X-Forwarded-Proto", "https")))
    }

    @Test func responseHeadersDropHopByHopAndTheBackendsRequestID() {
        let relayed = ResponseHeaders.relayed([
            HTTPHeader("Content-Type", "text/event-stream"), HTTPHeader("Connection", "close, X-Internal"),
            HTTPHeader("X-Internal", "1"), HTTPHeader("Transfer-Encoding", "chunked"),
            HTTPHeader("X-Request-Id", "backend"), HTTPHeader("Set-Cookie", "a=b"),
            HTTPHeader("Content-Length", "5"),
        ])
        #expect(names(relayed) == ["content-type", "set-cookie", "content-length"])
    }

    @Test(
        arguments: [
            ("5", 5), (" 12 ", 12), ("+5", nil), ("-1", nil), ("1 2", nil), ("", nil), ("0x10", nil),
            ("9999999999999999999", nil),
        ] as [(String, Int?)]
    )
    func contentLengthIsPlainDecimal(text: String, expected: Int?) {
        #expect(FramingCheck.decimal(text) == expected)
    }
}
