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

    /// SPEC 5.3: the credential is forwarded as received even when the client's `Connection`
    /// header names it (in any spelling, list position or header), while the other names it lists
    /// are still dropped (`X-Secret` when listed; `Proxy-Authorization` always).
    @Test(
        arguments: [
            ([HTTPHeader("Connection", "Authorization")], true),
            ([HTTPHeader("Connection", "authorization")], true),
            ([HTTPHeader("Connection", "AUTHORIZATION")], true),
            ([HTTPHeader("Connection", "keep-alive, Authorization")], true),
            ([HTTPHeader("Connection", "Authorization, Proxy-Authorization")], true),
            ([HTTPHeader("Connection", "\tAuthorization\t")], true),
            ([HTTPHeader("Connection", " Authorization ,X-Secret")], false),
            ([HTTPHeader("Connection", "close"), HTTPHeader("Connection", "Authorization")], true),
            ([HTTPHeader("Connection", "Authorization"), HTTPHeader("CONNECTION", "x-secret")], false),
            ([HTTPHeader("connection", "x-secret, authorization, proxy-authorization")], false),
        ] as [([HTTPHeader], Bool)]
    )
    func authorizationSurvivesAConnectionHeaderNamingIt(connection: [HTTPHeader], secretKept: Bool) {
        let credential = HTTPHeader("Authorization", "Bearer sk-test")
        let secret = HTTPHeader("X-Secret", "s")
        let others = [secret, HTTPHeader("Proxy-Authorization", "Basic p")]
        let kept = secretKept ? [secret] : []
        let tail = [
            HTTPHeader("X-Forwarded-Proto", "http"), HTTPHeader("X-Forwarded-Host", "proxy.example"),
            HTTPHeader("X-Request-Id", "rid"),
        ]
        // The credential before and after the Connection header alike.
        let orders: [(received: [HTTPHeader], expected: [HTTPHeader])] = [
            (
                [HTTPHeader("Host", "proxy.example"), credential] + others + connection,
                [HTTPHeader("Host", "backend:8000"), credential] + kept + tail
            ),
            (
                [HTTPHeader("Host", "proxy.example")] + connection + others + [credential],
                [HTTPHeader("Host", "backend:8000")] + kept + [credential] + tail
            ),
        ]
        for (received, expected) in orders {
            let rewritten = UpstreamHeaders.rewrite(
                received,
                host: "backend:8000",
                clientAddress: "",
                scheme: "http",
                requestID: "rid",
                bodyLength: nil
            )
            #expect(rewritten == expected)
        }
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
