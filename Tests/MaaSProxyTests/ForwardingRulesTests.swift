import AccessCheck
import HTTP1
import Testing

@testable import MaaSProxy

/// SPEC 5.3–5.5 rules that need no sockets: header rewriting and framing checks.
@Suite struct ForwardingRulesTests {
    private func names(_ headers: [HTTPHeader]) -> [String] { headers.map { $0.name.lowercased() } }

    /// A request head as the strict codec reads it from `fields`.
    private func requestHead(_ fields: [HTTPHeader]) -> RequestHead {
        var text = "POST /v1/chat/completions HTTP/1.1\r\n"
        for field in fields { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        var parser = RequestHeadParser(limits: HeadLimits(maxHeadBytes: 65536, maxBodyBytes: 1 << 20))
        let parsed = Array(text.utf8).withUnsafeBytes { parser.parse($0) }
        guard case .head(let head, _) = parsed else { fatalError("the test's head does not parse: \(parsed)") }
        return head
    }

    /// The fields of the head `write` produced, read back with the strict codec (so the test also
    /// proves the rewritten head is one the codec accepts).
    private func writtenHead(_ write: (ByteBuffer) -> Void) -> (firstLine: String, fields: [HTTPHeader]) {
        let output = ByteBuffer()
        write(output)
        let bytes = output.withUnreadBytes { Array($0) }
        let text = String(decoding: bytes, as: UTF8.self)
        let firstLine = String(text[..<text.range(of: "\r\n")!.lowerBound])
        if firstLine.hasPrefix("HTTP/") {
            var parser = ResponseHeadParser(maxHeadBytes: 65536)
            let parsed = bytes.withUnsafeBytes { parser.parse($0, requestWasHEAD: false) }
            guard case .head(let head, let consumed) = parsed, consumed == bytes.count else {
                Issue.record("the written head does not parse whole: \(parsed) in \(text)")
                return (firstLine, [])
            }
            return (firstLine, head.fields.map { HTTPHeader(head.string($0.name), head.string($0.value)) })
        }
        var parser = RequestHeadParser(limits: HeadLimits(maxHeadBytes: 65536, maxBodyBytes: 1 << 20))
        let parsed = bytes.withUnsafeBytes { parser.parse($0) }
        guard case .head(let head, let consumed) = parsed, consumed == bytes.count else {
            Issue.record("the written head does not parse whole: \(parsed) in \(text)")
            return (firstLine, [])
        }
        return (firstLine, head.fields.map { HTTPHeader(head.string($0.name), head.string($0.value)) })
    }

    private func rewrite(
        _ received: [HTTPHeader],
        clientAddress: String = "",
        scheme: String = "http",
        body: ForwardedHead.BodyFraming = .none
    ) -> [HTTPHeader] {
        let head = ForwardedHead(
            received: requestHead(received),
            method: "POST",
            target: "/v1/chat/completions?x=1",
            host: "backend:8000",
            clientAddress: clientAddress,
            scheme: scheme,
            requestID: "rid",
            body: body
        )
        let written = writtenHead { head.write(into: $0) }
        #expect(written.firstLine == "POST /v1/chat/completions?x=1 HTTP/1.1")
        return written.fields
    }

    @Test func upstreamHeadersDropHopByHopForgeableAndReframedOnes() {
        let received = [
            HTTPHeader("Host", "proxy.example"), HTTPHeader("Connection", "keep-alive, X-Secret"),
            HTTPHeader("X-Secret", "s"), HTTPHeader("Keep-Alive", "timeout=5"), HTTPHeader("TE", "trailers"),
            HTTPHeader("Trailer", "x"), HTTPHeader("Transfer-Encoding", "chunked"), HTTPHeader("Upgrade", "h2c"),
            HTTPHeader("Proxy-Authorization", "p"), HTTPHeader("Proxy-Connection", "keep-alive"),
            HTTPHeader("X-MaaS-Username", "root"), HTTPHeader("x-maas-group", "admins"),
            HTTPHeader("Expect", "100-continue"), HTTPHeader("X-Forwarded-Host", "evil"),
            HTTPHeader("Authorization", "Bearer t"), HTTPHeader("X-Forwarded-For", "10.0.0.1"),
            HTTPHeader("X-Forwarded-For", "10.0.0.2"), HTTPHeader("X-Forwarded-Proto", "https"),
            HTTPHeader("X-Request-Id", "old"), HTTPHeader("Accept", "text/event-stream"),
        ]
        #expect(
            rewrite(received, clientAddress: "192.0.2.7", body: .length(12)) == [
                HTTPHeader("Host", "backend:8000"), HTTPHeader("Authorization", "Bearer t"),
                HTTPHeader("Accept", "text/event-stream"),
                HTTPHeader("X-Forwarded-For", "10.0.0.1, 10.0.0.2, 192.0.2.7"),
                HTTPHeader("X-Forwarded-Proto", "http"), HTTPHeader("X-Forwarded-Host", "proxy.example"),
                HTTPHeader("X-Request-Id", "rid"), HTTPHeader("Content-Length", "12"),
            ]
        )
    }

    /// The client's length gives way to the proxy's; a streamed chunked body is re-chunked.
    @Test(
        arguments: [
            (ForwardedHead.BodyFraming.length(7), HTTPHeader("Content-Length", "7")),
            (.chunked, HTTPHeader("Transfer-Encoding", "chunked")),
        ]
    )
    func theBodysFramingIsTheProxysOwn(body: ForwardedHead.BodyFraming, field: HTTPHeader) {
        let rewritten = rewrite([HTTPHeader("Host", "h"), HTTPHeader("Content-Length", "999")], body: body)
        #expect(rewritten.last == field)
        #expect(rewritten.filter { ["content-length", "transfer-encoding"].contains($0.name.lowercased()) } == [field])
    }

    @Test func bodylessRequestGetsNoContentLength() {
        let rewritten = rewrite([HTTPHeader("Host", "h")], scheme: "https")
        #expect(!names(rewritten).contains("content-length"))
        #expect(!names(rewritten).contains("x-forwarded-for"))
        #expect(rewritten.contains(HTTPHeader("X-Forwarded-Proto", "https")))
    }

    @Test func aFieldIsForwardedWithItsValueAsReceived() {
        let rewritten = rewrite([
            HTTPHeader("Host", "h"), HTTPHeader("X-Empty", ""), HTTPHeader("X-Spaced", "a  b\tc"),
            HTTPHeader("x-lower", "UPPER"),
        ])
        #expect(
            Array(rewritten[1...3]) == [
                HTTPHeader("X-Empty", ""), HTTPHeader("X-Spaced", "a  b\tc"), HTTPHeader("x-lower", "UPPER"),
            ]
        )
    }

    private func relayed(_ fields: [HTTPHeader], status: Int = 200) -> (firstLine: String, fields: [HTTPHeader]) {
        var text = "HTTP/1.1 \(status) Whatever\r\n"
        for field in fields { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        var parser = ResponseHeadParser(maxHeadBytes: 65536)
        let parsed = Array(text.utf8).withUnsafeBytes { parser.parse($0, requestWasHEAD: false) }
        guard case .head(let head, _) = parsed else { fatalError("the test's head does not parse: \(parsed)") }
        return writtenHead { output in
            AnswerHead.writeRelayed(
                head,
                requestID: "mine",
                framing: .contentLength(5),
                connection: .none,
                into: output
            )
        }
    }

    @Test func responseHeadersDropHopByHopAndTheBackendsRequestID() {
        let answer = relayed([
            HTTPHeader("Content-Type", "text/event-stream"), HTTPHeader("Connection", "close, X-Internal"),
            HTTPHeader("X-Internal", "1"), HTTPHeader("Keep-Alive", "timeout=5"),
            HTTPHeader("X-Request-Id", "backend"), HTTPHeader("Set-Cookie", "a=b"),
            HTTPHeader("Content-Length", "5"), HTTPHeader("Upgrade", "h2c"),
        ])
        #expect(answer.firstLine == "HTTP/1.1 200 OK")
        #expect(
            answer.fields == [
                HTTPHeader("Content-Type", "text/event-stream"), HTTPHeader("Set-Cookie", "a=b"),
                HTTPHeader("X-Request-Id", "mine"), HTTPHeader("Content-Length", "5"),
            ]
        )
    }

    /// Only the proxy's framing goes out: a backend's chunked framing is never echoed.
    @Test func aChunkedAnswersFramingIsNotRelayed() {
        let answer = relayed([HTTPHeader("Transfer-Encoding", "chunked"), HTTPHeader("X-Model", "m")], status: 201)
        #expect(answer.firstLine == "HTTP/1.1 201 Created")
        #expect(names(answer.fields) == ["x-model", "x-request-id", "content-length"])
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
            #expect(rewrite(received) == expected)
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
