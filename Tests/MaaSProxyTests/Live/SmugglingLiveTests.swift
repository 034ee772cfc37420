import Foundation
import Glibc
import Testing

/// Request smuggling and framing (SPEC 5.3–5.5; issue 10, "framing defects"), with raw bytes on
/// both sides: a `RawHTTPClient` sends exactly the bytes of each case, and a `RecordingBackend`
/// records exactly what reached the model's endpoint. Every case checks what the client got (status
/// line, the SPEC 5.5 JSON error) and what the backend saw: no request reaches the backend that the
/// client did not send as one, and none unadmitted.
///
/// Written against the contract: against the evhttp path this replaced, 64 of its 112 rows failed.
@Suite(.serialized)
struct SmugglingLiveTests {
    // MARK: HEAD and GET bodies (SPEC 5.3)

    struct BodyCase: Sendable, CustomTestStringConvertible {
        var method: String
        var chunked: Bool
        var testDescription: String { "\(method) with a \(chunked ? "chunked" : "Content-Length") body" }
    }

    /// A body on a method that seldom has one is a body, framed as such upstream, never the next
    /// request; the request that follows on the connection gets its own answer.
    @Test(
        arguments: [
            BodyCase(method: "HEAD", chunked: false), BodyCase(method: "GET", chunked: false),
            BodyCase(method: "OPTIONS", chunked: false), BodyCase(method: "DELETE", chunked: false),
            BodyCase(method: "HEAD", chunked: true), BodyCase(method: "GET", chunked: true),
        ]
    )
    func aBodyOnAnyMethodIsABodyNeverASecondRequest(_ row: BodyCase) throws {
        let fixture = try SmugglingFixture()
        let name = row.testDescription
        let payload = Wire.smuggled
        let framing = row.chunked ? "Transfer-Encoding: chunked" : Wire.length(payload)
        let body = row.chunked ? Wire.chunked([payload]) : payload
        let client = try fixture.connect()
        try client.send(Wire.request(row.method, "/llm/x/v1/thing", headers: [framing], body: body))
        let first = try client.expectAnswer(method: row.method, name)
        #expect(first.status == 200, "\(name): \(first.summary)")
        if row.method != "HEAD" {
            #expect(first.echo?.target == "/llm/x/v1/thing", "\(name): \(first.summary)")
            #expect(first.echo?.bodyBytes == payload.utf8.count, "\(name): \(first.summary)")
        }
        // Closing after the answer is allowed; staying open, the next request gets the next answer.
        if !first.closes {
            try client.send(Wire.request("GET", "/llm/x/after"))
            let next = try client.expectAnswer(method: "GET", "\(name), the request after it")
            #expect(next.echo?.target == "/llm/x/after", "\(name): the next answer was \(next.summary)")
        }
        fixture.backend.settle()
        let seen = fixture.backend.forwarded
        let expected = ["\(row.method) /llm/x/v1/thing"] + (first.closes ? [] : ["GET /llm/x/after"])
        #expect(seen.map(\.summary) == expected, "\(name): the backend saw \(seen.map(\.summary))")
        if let upstream = seen.first {
            #expect(upstream.body == Array(payload.utf8), "\(name): body \(upstream.body.count) bytes")
            Self.expectFramed(upstream, bodyLength: payload.utf8.count, name)
        }
        #expect(fixture.backend.unparsedBytes.isEmpty, "\(name): \(fixture.backend.transcript)")
    }

    // MARK: Framing refusals (SPEC 5.5)

    static let transferEncodings: [Case] =
        [
            "xchunked", "\"chunked\"", "\u{0B}chunked", "chunked x", "gzip, chunked", "chunked, chunked", "identity",
            "gzip",
        ]
        .map { value in
            Case(
                "Transfer-Encoding: \(value.debugDescription)",
                Wire.request(headers: ["Transfer-Encoding: \(value)"], body: Wire.smuggled),
                .refused(closes: true)
            )
        } + [
            Case(
                "two Transfer-Encoding: chunked headers",
                Wire.request(
                    headers: ["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"],
                    body: Wire.chunked([Wire.chat])
                ),
                .refused(closes: true)
            )
        ]

    /// A `Transfer-Encoding` other than exactly `chunked`, without `Content-Length`: refused, the
    /// connection closed, and the body (a request of its own) never run.
    @Test(arguments: transferEncodings)
    func aTransferEncodingOtherThanChunkedIsRefused(_ row: Case) throws { try Self.run(row) }

    static let spacesBeforeColon: [Case] = [
        Case(
            "Content-Length : n",
            Wire.request(headers: ["Content-Length : \(Wire.smuggled.utf8.count)"], body: Wire.smuggled),
            .refused(closes: true)
        ),
        Case(
            "Transfer-Encoding : chunked",
            Wire.request(headers: ["Transfer-Encoding : chunked"], body: Wire.smuggled),
            .refused(closes: true)
        ),
        Case(
            "Content-Length<TAB>: n",
            Wire.request(headers: ["Content-Length\t: \(Wire.smuggled.utf8.count)"], body: Wire.smuggled),
            .refused(closes: true)
        ),
        Case("Host : a", Wire.request(host: false, headers: ["Host : a", Wire.length(Wire.chat)], body: Wire.chat)),
        Case("X-Note : v", Wire.request(headers: ["X-Note : v", Wire.length(Wire.chat)], body: Wire.chat)),
    ]

    /// RFC 9112 5.1: whitespace between a field name and the colon is refused, never forwarded
    /// next to the proxy's own `Content-Length` (a backend that trims names would run the body).
    @Test(arguments: spacesBeforeColon)
    func whitespaceBeforeTheColonIsRefused(_ row: Case) throws { try Self.run(row) }

    static let lengthConflicts: [Case] = {
        let chunkedThenSmuggled = "0\r\n\r\n" + Wire.smuggled
        let n = Wire.chat.utf8.count
        return [
            Case(
                "Content-Length and Transfer-Encoding: chunked",
                Wire.request(
                    headers: [Wire.length(chunkedThenSmuggled), "Transfer-Encoding: chunked"],
                    body: chunkedThenSmuggled
                ),
                .refused(closes: true)
            ),
            Case(
                "Transfer-Encoding: chunked then Content-Length",
                Wire.request(
                    headers: ["Transfer-Encoding: chunked", Wire.length(chunkedThenSmuggled)],
                    body: chunkedThenSmuggled
                ),
                .refused(closes: true)
            ),
            Case(
                "two equal Content-Length",
                Wire.request(headers: [Wire.length(Wire.chat), Wire.length(Wire.chat)], body: Wire.chat),
                .refused(closes: true)
            ),
            Case(
                "two different Content-Length",
                Wire.request(headers: ["Content-Length: 5", Wire.length(Wire.chat)], body: Wire.chat),
                .refused(closes: true)
            ),
            Case(
                "Content-Length: +n",
                Wire.request(headers: ["Content-Length: +\(n)"], body: Wire.chat),
                .refused(closes: true)
            ),
            Case(
                "Content-Length: -1",
                Wire.request(headers: ["Content-Length: -1"], body: Wire.chat),
                .refused(closes: true)
            ),
            Case(
                "Content-Length: n, n",
                Wire.request(headers: ["Content-Length: \(n), \(n)"], body: Wire.chat),
                .refused(closes: true)
            ),
            Case(
                "Content-Length: 0x…",
                Wire.request(headers: ["Content-Length: 0x\(String(n, radix: 16))"], body: Wire.chat),
                .refused(closes: true)
            ),
            Case(
                "empty Content-Length",
                Wire.request(headers: ["Content-Length: "], body: Wire.chat),
                .refused(closes: true)
            ),
        ]
    }()

    /// RFC 9112 6.1–6.3: `Content-Length` with `Transfer-Encoding`, repeated, signed or listed.
    @Test(arguments: lengthConflicts)
    func conflictingOrMalformedContentLengthIsRefused(_ row: Case) throws { try Self.run(row) }

    static let headerSyntax: [Case] = {
        let length = Wire.length(Wire.chat)
        return [
            Case("obs-fold", Wire.request(headers: ["X-Note: a", " folded", length], body: Wire.chat)),
            Case(
                "obs-fold inside Content-Length",
                Wire.request(headers: ["Content-Length:", " \(Wire.chat.utf8.count)"], body: Wire.chat),
                .refused(closes: true)
            ),
            Case("bare CR in a value", Wire.request(headers: ["X-Note: a\rb", length], body: Wire.chat)),
            Case("bare CR after a value", Wire.request(headers: ["X-Note: a\r", length], body: Wire.chat)),
            Case("NUL in a value", Wire.request(headers: ["X-Note: a\u{0}b", length], body: Wire.chat)),
            Case("control byte 0x01 in a value", Wire.request(headers: ["X-Note: a\u{01}b", length], body: Wire.chat)),
            Case("DEL in a value", Wire.request(headers: ["X-Note: a\u{7F}b", length], body: Wire.chat)),
            Case("no Host (HTTP/1.1)", Wire.request(host: false, headers: [length], body: Wire.chat)),
            Case("two Host", Wire.request(headers: ["Host: b", length], body: Wire.chat)),
            Case(
                "absolute-form target",
                Wire.request(target: "http://127.0.0.1/llm/x/v1/chat/completions", headers: [length], body: Wire.chat)
            ),
            Case("* target on GET", Wire.request("GET", "*")),
            Case("* target on POST", Wire.request(target: "*", headers: [length], body: Wire.chat)),
            Case(
                "no Host (HTTP/1.0) is forwarded",
                Wire.request(version: "HTTP/1.0", host: false, headers: [length], body: Wire.chat),
                .forwarded(body: Wire.chat)
            ),
            Case(
                "a tab inside a value is forwarded",
                Wire.request(headers: ["X-Note: a\tb", length], body: Wire.chat),
                .forwarded(body: Wire.chat, headers: [("X-Note", "a\tb")])
            ),
        ]
    }()

    /// SPEC 5.5: obs-fold, bare CR, NUL and other control bytes, a missing or repeated `Host`, an
    /// absolute-form or `*` target on a non-`OPTIONS` request.
    @Test(arguments: headerSyntax)
    func malformedHeadersAndTargetsAreRefused(_ row: Case) throws { try Self.run(row) }

    static let targetsAndNames: [Case] = {
        let length = Wire.length(Wire.chat)
        func named(_ name: String) -> [UInt8] { Wire.request(headers: ["\(name): v", length], body: Wire.chat) }
        return [
            Case(
                "raw space in the target",
                Wire.request(target: "/llm/x/v1/chat completions", headers: [length], body: Wire.chat),
                .refused(closes: true)
            ),
            Case(
                "raw tab in the target",
                Wire.request(target: "/llm/x/v1/chat\tcompletions", headers: [length], body: Wire.chat),
                .refused(closes: true)
            ),
            Case(
                "#fragment in the target",
                Wire.request(target: "/llm/x/v1/chat/completions#frag", headers: [length], body: Wire.chat)
            ),
            Case("empty field name", named("")),
            Case("space inside a field name", named("X Note")),
            Case("@ in a field name", named("X@Note")),
            Case("quote in a field name", named("X\"Note")),
            Case("parentheses in a field name", named("X(Note)")),
            Case("non-ASCII field name", named("Xé")),
            Case(
                "two Authorization headers, same value",
                Wire.request(headers: ["Authorization: \(Wire.token)", length], body: Wire.chat)
            ),
            Case(
                "two Authorization headers, different values",
                Wire.request(
                    auth: false,
                    headers: ["Authorization: \(Wire.token)", "Authorization: Bearer other", length],
                    body: Wire.chat
                )
            ),
            Case(
                "Connection: Authorization keeps the credential",
                Wire.request(headers: ["Connection: Authorization", length], body: Wire.chat),
                .forwarded(body: Wire.chat, headers: [("Authorization", Wire.token)])
            ),
            Case(
                "Connection: keep-alive, Authorization keeps the credential",
                Wire.request(headers: ["Connection: keep-alive, Authorization", length], body: Wire.chat),
                .forwarded(body: Wire.chat, headers: [("Authorization", Wire.token)])
            ),
        ]
    }()

    /// What went upstream unchecked: whitespace or `#` in the target, empty or invalid field names,
    /// two credentials (admission reads one; refuse). `Connection` never removes `Authorization`.
    @Test(arguments: targetsAndNames)
    func targetsFieldNamesAndCredentialsAreChecked(_ row: Case) throws { try Self.run(row) }

    static let versions: [Case] =
        ["HTTP/0.9", "HTTP/1.2", "HTTP/-01.1", "HTTP/1.19620", "HTTP/2.0"].map { version in
            Case(
                version,
                Wire.request(version: version, headers: [Wire.length(Wire.chat)], body: Wire.chat),
                .refused(statuses: [505], code: "http_version_not_supported", closes: true)
            )
        }
        + ["HTTP/1.1", "HTTP/1.0"].map { version in
            Case(
                "\(version) is served",
                Wire.request(version: version, headers: [Wire.length(Wire.chat)], body: Wire.chat),
                .forwarded(body: Wire.chat)
            )
        }

    /// Only HTTP/1.0 and 1.1 are served; anything else is 505, answered as HTTP/1.1 (the client's
    /// version is never echoed).
    @Test(arguments: versions)
    func onlyHTTP10And11AreServed(_ row: Case) throws { try Self.run(row) }

    static let chunkSizes: [Case] = {
        let payload = Wire.payload68
        func chunked(_ size: String) -> [UInt8] {
            Wire.request(headers: ["Transfer-Encoding: chunked"], body: "\(size)\r\n\(payload)\r\n0\r\n\r\n")
        }
        return ["0x44", "+44", " 44", "44 x", "-44"].map {
            Case("chunk size \($0.debugDescription)", chunked($0), .refused(closes: true))
        }
            + ["44;ext=1", "44;ext", "44;a=1;b=\"two\"", "44", "0044"].map {
                Case("chunk size \($0.debugDescription) is read", chunked($0), .forwarded(body: payload))
            }
    }()

    /// RFC 9112 7.1: a chunk size is hex digits only; a chunk extension is allowed and ignored, and
    /// the decoded payload goes upstream re-framed.
    @Test(arguments: chunkSizes)
    func chunkSizesAreHexDigitsAndExtensionsAreIgnored(_ row: Case) throws { try Self.run(row) }

    static let tooLarge: [Case] = {
        let big = #"{"model":"m","messages":[],"pad":"\#(String(repeating: "x", count: 2000))"}"#
        let atLimit = Wire.padded(1024)
        let chunk = String(repeating: "y", count: 800)
        let manyHeaders = (0..<100).map { "X-Filler-\($0): \(String(repeating: "h", count: 40))" }
        return [
            Case(
                "body over maxRequestBodyBytes (Content-Length)",
                Wire.request(target: "/v1/chat/completions", headers: [Wire.length(big)], body: big),
                .refused(statuses: [413], code: "request_too_large", closes: true)
            ),
            Case(
                "body over maxRequestBodyBytes (chunked)",
                Wire.request(
                    target: "/v1/chat/completions",
                    headers: ["Transfer-Encoding: chunked"],
                    body: Wire.chunked([chunk, chunk])
                ),
                .refused(statuses: [413], code: "request_too_large", closes: true)
            ),
            Case(
                "one header over maxHeaderBytes",
                Wire.request("GET", "/llm/x/v1/thing", headers: ["X-Pad: \(String(repeating: "p", count: 5000))"]),
                .refused(statuses: [431, 400], code: "headers_too_large", closes: true)
            ),
            Case(
                "many headers over maxHeaderBytes",
                Wire.request("GET", "/llm/x/v1/thing", headers: manyHeaders),
                .refused(statuses: [431, 400], code: "headers_too_large", closes: true)
            ),
            Case(
                "body of exactly maxRequestBodyBytes is forwarded",
                Wire.request(target: "/v1/chat/completions", headers: [Wire.length(atLimit)], body: atLimit),
                .forwarded(body: atLimit)
            ),
        ]
    }()

    /// SPEC 5.5: 413 `request_too_large` over `limits.maxRequestBodyBytes` (1024 here, body
    /// routing reads the body whole), 431 (or 400) `headers_too_large` over `limits.maxHeaderBytes`.
    @Test(arguments: tooLarge)
    func requestsOverTheLimitsAreRefused(_ row: Case) throws { try Self.run(row) }

    // MARK: The upstream side (SPEC 5.4)

    struct LeftoverCase: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var reply: String
        var status: Int
        var body: String
        var nextOnNewConnection: Bool
        var testDescription: String {
            name + (nextOnNewConnection ? ", next on another connection" : ", next on the same connection")
        }
    }

    static let leftovers: [LeftoverCase] = {
        let stray = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"poison\":true}"
        let headBody = #"{"stray":"body!!!"}"#
        let rows: [(String, String, String, Int, String)] = [
            (
                "HEAD answer followed by the body its Content-Length announces", "HEAD",
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\(Wire.length(headBody))\r\n\r\n\(headBody)", 200,
                ""
            ),
            (
                "HEAD answer followed by a whole second response", "HEAD",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + stray, 200, ""
            ),
            (
                "Content-Length body followed by a whole second response", "GET",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" + stray, 200, "hello"
            ),
            (
                "chunked body followed by a whole second response", "GET",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + stray, 200, "hello"
            ),
            ("204 followed by body bytes", "GET", "HTTP/1.1 204 No Content\r\n\r\n" + stray, 204, ""),
            ("304 followed by body bytes", "GET", "HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\n\r\n" + stray, 304, ""),
        ]
        return rows.flatMap { name, method, reply, status, body in
            [false, true].map {
                LeftoverCase(
                    name: name,
                    method: method,
                    reply: reply,
                    status: status,
                    body: body,
                    nextOnNewConnection: $0
                )
            }
        }
    }()

    /// Bytes a backend sends past the end of an answer (after a `HEAD` answer, a body, a 204 or 304)
    /// stay out of the next exchange: the pooled connection is not reused with them, and the next
    /// caller gets its own answer.
    @Test(arguments: leftovers)
    func bytesPastAnUpstreamAnswerNeverReachTheNextCaller(_ row: LeftoverCase) throws {
        let reply = BackendReply.raw(row.reply)
        let fixture = try SmugglingFixture { $0.target == "/llm/x/first" ? reply : nil }
        let name = row.testDescription
        let client = try fixture.connect()
        try client.send(Wire.request(row.method, "/llm/x/first"))
        let first = try client.expectAnswer(method: row.method, name)
        #expect(first.status == row.status, "\(name): \(first.summary)")
        #expect(first.response.body == Array(row.body.utf8), "\(name): \(first.summary)")
        let nextClient = row.nextOnNewConnection || first.closes ? try fixture.connect() : client
        try nextClient.send(Wire.request("GET", "/llm/x/second"))
        do {
            let next = try nextClient.readAnswer(method: "GET")
            #expect(next.status == 200, "\(name): the next caller got \(next.summary)")
            #expect(next.echo?.target == "/llm/x/second", "\(name): the next caller got \(next.summary)")
        } catch {
            Issue.record("\(name): the next caller got no answer: \(describeReadFailure(error))")
        }
        fixture.backend.settle()
        let seen = fixture.backend.forwarded.map(\.summary)
        #expect(seen == ["\(row.method) /llm/x/first", "GET /llm/x/second"], "\(name): the backend saw \(seen)")
    }

    struct UpstreamBodyCase: Sendable, CustomTestStringConvertible {
        var name: String
        var reply: BackendReply
        var body: [UInt8]
        var testDescription: String { name }
    }

    static let upstreamBodies: [UpstreamBodyCase] = {
        let body = String(repeating: "0123456789abcdef", count: 4096)
        let json = #"{"ok":true}"#
        return [
            UpstreamBodyCase(
                name: "close-delimited body (HTTP/1.1)",
                reply: .raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body, closeAfter: true),
                body: Array(body.utf8)
            ),
            UpstreamBodyCase(
                name: "close-delimited body (HTTP/1.0)",
                reply: .raw("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body, closeAfter: true),
                body: Array(body.utf8)
            ),
            UpstreamBodyCase(
                name: "Content-Length body with Connection: close",
                reply: .raw(
                    "HTTP/1.1 200 OK\r\nConnection: close\r\n\(Wire.length(body))\r\n\r\n" + body,
                    closeAfter: true
                ),
                body: Array(body.utf8)
            ),
            UpstreamBodyCase(
                name: "chunked body with extensions and trailers",
                reply: .raw(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "4;a=b\r\n{\"ok\r\n7\r\n\":true}\r\n0\r\nX-Trailer: t\r\n\r\n"
                ),
                body: Array(json.utf8)
            ),
            UpstreamBodyCase(
                name: "100 Continue before the answer",
                reply: .raw("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\(Wire.length(json))\r\n\r\n\(json)"),
                body: Array(json.utf8)
            ),
        ]
    }()

    /// Every way a backend may frame its body reaches the client whole, and the proxy's pool stays
    /// usable after it.
    @Test(arguments: upstreamBodies)
    func upstreamBodiesReachTheClientWhole(_ row: UpstreamBodyCase) throws {
        let reply = row.reply
        let fixture = try SmugglingFixture { $0.target == "/llm/x/first" ? reply : nil }
        let name = row.testDescription
        let client = try fixture.connect()
        try client.send(Wire.request("GET", "/llm/x/first"))
        do {
            let first = try client.readAnswer(method: "GET")
            #expect(first.status == 200, "\(name): \(first.statusLine)")
            #expect(first.response.body.count == row.body.count, "\(name): \(first.response.body.count) bytes")
            #expect(first.response.body == row.body, "\(name)")
            let nextClient = first.closes ? try fixture.connect() : client
            try nextClient.send(Wire.request("GET", "/llm/x/second"))
            let next = try nextClient.readAnswer(method: "GET")
            #expect(next.echo?.target == "/llm/x/second", "\(name): the next answer was \(next.summary)")
        } catch {
            Issue.record("\(name): \(describeReadFailure(error))")
        }
        fixture.backend.settle()
        let seen = fixture.backend.forwarded.map(\.summary)
        #expect(seen == ["GET /llm/x/first", "GET /llm/x/second"], "\(name): the backend saw \(seen)")
    }

    // MARK: The proxy's own answers to HEAD

    struct OwnHeadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var target: String
        var token: String?
        var status: Int
        /// `error.code` of the GET answer; nil for answers without one.
        var code: String?
        var testDescription: String { name }
    }

    /// The proxy's own answers to `HEAD` (errors and listings) carry `Content-Length` and no body,
    /// so a kept-alive connection stays in step: the same request as `GET` and a third one after it
    /// get their own answers.
    @Test(
        arguments: [
            OwnHeadCase(
                name: "404 route_not_found",
                target: "/nope",
                token: Wire.token,
                status: 404,
                code: "route_not_found"
            ),
            OwnHeadCase(
                name: "401 authorization_required",
                target: "/llm/x/v1/chat/completions",
                token: nil,
                status: 401,
                code: "authorization_required"
            ),
            OwnHeadCase(
                name: "401 invalid_credentials",
                target: "/llm/x/v1/thing",
                token: "Bearer wrong",
                status: 401,
                code: "invalid_credentials"
            ),
            OwnHeadCase(name: "401 on /v1/models", target: "/v1/models", token: nil, status: 401, code: nil),
            OwnHeadCase(name: "200 listing", target: "/v1/models", token: Wire.token, status: 200, code: nil),
        ]
    )
    func theProxysOwnAnswersToHEADHaveALengthAndNoBody(_ row: OwnHeadCase) throws {
        let fixture = try SmugglingFixture()
        let name = row.testDescription
        let client = try fixture.connect()
        let auth = row.token.map { ["Authorization: \($0)"] } ?? []
        try client.send(Wire.request("HEAD", row.target, auth: false, headers: auth))
        let head = try client.expectAnswer(method: "HEAD", name)
        #expect(head.status == row.status, "\(name): \(head.summary)")
        #expect(head.statusLine.hasPrefix("HTTP/1.1 \(row.status) "), "\(name): \(head.statusLine)")
        #expect(head.response.header("Content-Length").flatMap(Int.init) != nil, "\(name): \(head.response.headers)")
        #expect(head.response.header("Transfer-Encoding") == nil, "\(name): \(head.response.headers)")
        #expect(!head.closes, "\(name): \(head.response.headers)")
        guard !head.closes else { return }
        try client.send(Wire.request("GET", row.target, auth: false, headers: auth) + Wire.request("GET", "/nope"))
        do {
            let get = try client.readAnswer(method: "GET")
            #expect(get.statusLine.hasPrefix("HTTP/1.1 \(row.status) "), "\(name): GET after HEAD got \(get.summary)")
            let object = try? get.response.json() as? [String: Any]
            #expect(object != nil, "\(name): GET after HEAD got \(get.summary)")
            if let code = row.code { #expect(get.response.errorCode == code, "\(name): \(get.summary)") }
            let third = try client.readAnswer(method: "GET")
            #expect(third.statusLine.hasPrefix("HTTP/1.1 404 "), "\(name): the third answer was \(third.summary)")
            #expect(third.response.errorCode == "route_not_found", "\(name): the third answer was \(third.summary)")
        } catch {
            Issue.record("\(name): the answers after HEAD are out of step: \(describeReadFailure(error))")
        }
        fixture.backend.settle()
        #expect(fixture.backend.forwarded.isEmpty, "\(name): \(fixture.backend.forwarded.map(\.summary))")
    }

    // MARK: Pipelining and Expect: 100-continue

    struct PipelineCase: Sendable, CustomTestStringConvertible {
        var name: String
        /// (method, bytes) of each request, all sent in one write.
        var requests: [(method: String, bytes: [UInt8])]
        var answers: [Expected]
        /// What reaches the backend (`METHOD target`), in order.
        var forwarded: [String]
        var testDescription: String { name }
    }

    enum Expected: Sendable {
        /// The backend's echo of this target (a `HEAD`: its status only).
        case echo(String)
        /// One of the proxy's own errors.
        case error(Int, String)
    }

    static let pipelines: [PipelineCase] = {
        let post = { (target: String, body: String) in
            (method: "POST", bytes: Wire.request(target: target, headers: [Wire.length(body)], body: body))
        }
        let get = { (target: String) in (method: "GET", bytes: Wire.request("GET", target)) }
        return [
            PipelineCase(
                name: "two GETs",
                requests: [get("/llm/x/one"), get("/llm/x/two")],
                answers: [.echo("/llm/x/one"), .echo("/llm/x/two")],
                forwarded: ["GET /llm/x/one", "GET /llm/x/two"]
            ),
            PipelineCase(
                name: "two POSTs with Content-Length bodies",
                requests: [post("/llm/x/one", Wire.chat), post("/llm/x/two", Wire.payload68)],
                answers: [.echo("/llm/x/one"), .echo("/llm/x/two")],
                forwarded: ["POST /llm/x/one", "POST /llm/x/two"]
            ),
            PipelineCase(
                name: "a chunked POST then a GET",
                requests: [
                    (
                        "POST",
                        Wire.request(
                            target: "/llm/x/one",
                            headers: ["Transfer-Encoding: chunked"],
                            body: Wire.chunked([Wire.chat])
                        )
                    ), get("/llm/x/two"),
                ],
                answers: [.echo("/llm/x/one"), .echo("/llm/x/two")],
                forwarded: ["POST /llm/x/one", "GET /llm/x/two"]
            ),
            PipelineCase(
                name: "a forwarded HEAD then a GET",
                requests: [(method: "HEAD", bytes: Wire.request("HEAD", "/llm/x/one")), get("/llm/x/two")],
                answers: [.echo("/llm/x/one"), .echo("/llm/x/two")],
                forwarded: ["HEAD /llm/x/one", "GET /llm/x/two"]
            ),
            PipelineCase(
                name: "the proxy's 404 to HEAD then a GET",
                requests: [(method: "HEAD", bytes: Wire.request("HEAD", "/nope")), get("/llm/x/two")],
                answers: [.error(404, "route_not_found"), .echo("/llm/x/two")],
                forwarded: ["GET /llm/x/two"]
            ),
            PipelineCase(
                name: "the proxy's 404 then a GET",
                requests: [get("/nope"), get("/llm/x/two")],
                answers: [.error(404, "route_not_found"), .echo("/llm/x/two")],
                forwarded: ["GET /llm/x/two"]
            ),
            PipelineCase(
                name: "an unauthenticated request then an authenticated one",
                requests: [(method: "GET", bytes: Wire.request("GET", "/llm/x/one", auth: false)), get("/llm/x/two")],
                answers: [.error(401, "authorization_required"), .echo("/llm/x/two")],
                forwarded: ["GET /llm/x/two"]
            ),
            PipelineCase(
                name: "GET, POST, GET",
                requests: [get("/llm/x/one"), post("/llm/x/two", Wire.chat), get("/llm/x/three")],
                answers: [.echo("/llm/x/one"), .echo("/llm/x/two"), .echo("/llm/x/three")],
                forwarded: ["GET /llm/x/one", "POST /llm/x/two", "GET /llm/x/three"]
            ),
        ]
    }()

    /// Requests pipelined in one write are each answered, in order, and each reaches the backend as
    /// the one request it is.
    @Test(arguments: pipelines)
    func pipelinedRequestsAreAnsweredInOrder(_ row: PipelineCase) throws {
        let fixture = try SmugglingFixture()
        let name = row.testDescription
        let client = try fixture.connect()
        try client.send(row.requests.flatMap(\.bytes))
        for (index, (request, expected)) in zip(row.requests, row.answers).enumerated() {
            let answer: WireAnswer
            do {
                answer = try client.readAnswer(method: request.method)
            } catch {
                Issue.record("\(name): answer \(index + 1) did not arrive: \(describeReadFailure(error))")
                break
            }
            switch expected {
            case .echo(let target):
                #expect(answer.status == 200, "\(name): answer \(index + 1) was \(answer.summary)")
                if request.method != "HEAD" {
                    #expect(answer.echo?.target == target, "\(name): answer \(index + 1) was \(answer.summary)")
                }
            case .error(let status, let code):
                #expect(answer.status == status, "\(name): answer \(index + 1) was \(answer.summary)")
                if request.method != "HEAD" {
                    #expect(answer.response.errorCode == code, "\(name): answer \(index + 1) was \(answer.summary)")
                }
            }
        }
        fixture.backend.settle()
        let seen = fixture.backend.forwarded.map(\.summary)
        #expect(seen == row.forwarded, "\(name): the backend saw \(seen)")
        #expect(fixture.backend.unparsedBytes.isEmpty, "\(name): \(fixture.backend.transcript)")
    }

    struct ExpectCase: Sendable, CustomTestStringConvertible {
        var name: String
        var target: String
        var chunked: Bool
        var token: String?
        /// nil: forwarded to `/llm/x` + target; else the proxy's own error.
        var error: (status: Int, code: String)?
        var testDescription: String { name }
    }

    /// `Expect: 100-continue`: the proxy asks for the body (`100 Continue`) before a forwarded
    /// request, which then reaches the backend once, body intact; a refusal may come instead.
    @Test(
        arguments: [
            ExpectCase(
                name: "path-routed POST",
                target: "/llm/x/v1/chat/completions",
                chunked: false,
                token: Wire.token
            ),
            ExpectCase(name: "body-routed POST", target: "/v1/chat/completions", chunked: false, token: Wire.token),
            ExpectCase(
                name: "chunked path-routed POST",
                target: "/llm/x/v1/chat/completions",
                chunked: true,
                token: Wire.token
            ),
            ExpectCase(
                name: "unauthenticated POST",
                target: "/llm/x/v1/chat/completions",
                chunked: false,
                token: nil,
                error: (401, "authorization_required")
            ),
        ]
    )
    func expect100ContinueIsHonoured(_ row: ExpectCase) throws {
        let fixture = try SmugglingFixture()
        let name = row.testDescription
        let client = try fixture.connect()
        let framing = row.chunked ? "Transfer-Encoding: chunked" : Wire.length(Wire.chat)
        let auth = row.token.map { ["Authorization: \($0)"] } ?? []
        let head = Wire.request(target: row.target, auth: false, headers: auth + ["Expect: 100-continue", framing])
        try client.send(head)
        let body = Array((row.chunked ? Wire.chunked([Wire.chat]) : Wire.chat).utf8)
        var answer: WireAnswer
        do {
            answer = try client.readAnswer(method: "POST", stopAtInterim: true)
        } catch {
            Issue.record("\(name): no answer to the head: \(describeReadFailure(error)); sending the body anyway")
            try client.send(body)
            answer = try client.expectAnswer(method: "POST", name)
        }
        if answer.status == 100 {
            try client.send(body)
            answer = try client.expectAnswer(method: "POST", name)
        } else if row.error == nil {
            Issue.record("\(name): no 100 Continue before the final answer \(answer.summary)")
        }
        fixture.backend.settle()
        let seen = fixture.backend.forwarded
        if let error = row.error {
            #expect(answer.status == error.status, "\(name): \(answer.summary)")
            #expect(answer.response.errorCode == error.code, "\(name): \(answer.summary)")
            #expect(seen.isEmpty, "\(name): the backend saw \(seen.map(\.summary))")
        } else {
            #expect(answer.status == 200, "\(name): \(answer.summary)")
            #expect(answer.echo?.target == "/llm/x/v1/chat/completions", "\(name): \(answer.summary)")
            #expect(seen.map(\.summary) == ["POST /llm/x/v1/chat/completions"], "\(name): \(seen.map(\.summary))")
            if let upstream = seen.first {
                #expect(upstream.body == Array(Wire.chat.utf8), "\(name): \(upstream.body.count) bytes")
                Self.expectFramed(upstream, bodyLength: Wire.chat.utf8.count, name)
            }
        }
        #expect(fixture.backend.unparsedBytes.isEmpty, "\(name): \(fixture.backend.transcript)")
    }

    // MARK: The table-driven cases

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var request: [UInt8]
        var outcome: Outcome
        var testDescription: String { name }

        init(_ name: String, _ request: [UInt8], _ outcome: Outcome = .refused()) {
            self.name = name
            self.request = request
            self.outcome = outcome
        }
    }

    enum Outcome: Sendable {
        /// One of the proxy's own errors; nothing at all reaches the backend. `closes`: the framing
        /// cannot be trusted, so the connection must close after the answer (else it may stay).
        case refused(statuses: [Int] = [400], code: String = "bad_request", closes: Bool = false)
        /// Forwarded as one request to `/llm/x/v1/chat/completions` with this body (and headers).
        case forwarded(body: String, headers: [(String, String)] = [])
    }

    static func run(_ row: Case) throws {
        let fixture = try SmugglingFixture()
        let name = row.name
        let method = String(decoding: row.request.prefix { $0 != 32 }, as: UTF8.self)
        let client = try fixture.connect()
        try client.send(row.request)
        let answer: WireAnswer?
        do {
            answer = try client.readAnswer(method: method)
        } catch {
            answer = nil
            Issue.record("\(name): no answer: \(describeReadFailure(error))")
        }
        switch row.outcome {
        case .refused(let statuses, let code, let closes):
            if let answer {
                expectProxyError(answer, statuses: statuses, code: code, name)
                if closes || answer.closes {
                    #expect(answer.closes, "\(name): no Connection: close in \(answer.response.headers)")
                    let after = client.afterAnswer()
                    #expect(after == .closed, "\(name): after the answer: \(after)")
                }
            }
            fixture.backend.settle()
            let seen = fixture.backend.forwarded.map(\.summary)
            #expect(seen.isEmpty, "\(name): forwarded to the backend: \(seen)")
            #expect(
                fixture.backend.receivedByteCount == 0,
                "\(name): the backend received \(fixture.backend.transcript)"
            )
        case .forwarded(let body, let headers):
            if let answer {
                #expect(answer.status == 200, "\(name): \(answer.summary)")
                #expect(answer.echo?.target == "/llm/x/v1/chat/completions", "\(name): \(answer.summary)")
            }
            fixture.backend.settle()
            let seen = fixture.backend.forwarded
            #expect(seen.map(\.summary) == ["POST /llm/x/v1/chat/completions"], "\(name): \(seen.map(\.summary))")
            if let upstream = seen.first {
                #expect(upstream.body == Array(body.utf8), "\(name): \(upstream.body.count) bytes")
                expectFramed(upstream, bodyLength: body.utf8.count, name)
                for (header, value) in headers {
                    #expect(upstream.headerValues(header) == [value], "\(name): \(upstream.headers)")
                }
            }
            #expect(fixture.backend.unparsedBytes.isEmpty, "\(name): \(fixture.backend.transcript)")
        }
    }

    /// SPEC 5.5: the status (as an HTTP/1.1 status line), JSON in the OpenAI error shape.
    static func expectProxyError(_ answer: WireAnswer, statuses: [Int], code: String, _ name: String) {
        #expect(statuses.contains(answer.status), "\(name): \(answer.summary)")
        #expect(answer.statusLine.hasPrefix("HTTP/1.1 \(answer.status) "), "\(name): \(answer.statusLine)")
        #expect(answer.response.header("Content-Type") == "application/json", "\(name): \(answer.response.headers)")
        let error = (try? answer.response.json() as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == code, "\(name): \(answer.summary)")
        #expect(error?["type"] as? String == "invalid_request_error", "\(name): \(answer.summary)")
        #expect(error?["param"] is NSNull, "\(name): \(answer.summary)")
        #expect(error?["message"] is String, "\(name): \(answer.summary)")
    }

    /// A forwarded body is framed by exactly one of `Content-Length` and chunked encoding.
    static func expectFramed(_ upstream: BackendRequest, bodyLength: Int, _ name: String) {
        let lengths = upstream.headerValues("Content-Length")
        let encodings = upstream.headerValues("Transfer-Encoding")
        let framed =
            (lengths == [String(bodyLength)] && encodings.isEmpty)
            || (lengths.isEmpty && encodings.map { $0.lowercased() } == ["chunked"])
        #expect(framed, "\(name): upstream framing \(upstream.headers)")
        #expect(upstream.headerValues("Host").count == 1, "\(name): upstream \(upstream.headers)")
    }
}

// MARK: - Building requests

/// Requests as bytes, with nothing added the case did not ask for.
enum Wire {
    static let token = RecordingBackend.grantedToken
    /// A whole request with a valid credential: what runs if a body is taken for the next request.
    static let smuggled = "GET /llm/x/smuggled HTTP/1.1\r\nHost: a\r\nAuthorization: \(token)\r\n\r\n"
    static let chat = #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#
    /// 0x44 bytes.
    static let payload68 = padded(0x44)

    /// A chat completion body of exactly `size` bytes.
    static func padded(_ size: Int) -> String {
        let prefix = #"{"model":"m","messages":[],"pad":""#
        let suffix = #""}"#
        return prefix + String(repeating: "x", count: size - prefix.utf8.count - suffix.utf8.count) + suffix
    }

    static func length(_ body: String) -> String { "Content-Length: \(body.utf8.count)" }

    static func chunked(_ chunks: [String]) -> String {
        chunks.map { "\(String($0.utf8.count, radix: 16))\r\n\($0)\r\n" }.joined() + "0\r\n\r\n"
    }

    /// `METHOD target version`, `Host: a` and the granted `Authorization` unless left out, the
    /// raw `headers` lines as given, the empty line, `body`.
    static func request(
        _ method: String = "POST",
        _ target: String = "/llm/x/v1/chat/completions",
        version: String = "HTTP/1.1",
        host: Bool = true,
        auth: Bool = true,
        headers: [String] = [],
        body: String = ""
    ) -> [UInt8] {
        var lines = ["\(method) \(target) \(version)"]
        if host { lines.append("Host: a") }
        if auth { lines.append("Authorization: \(token)") }
        lines += headers
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    static func request(
        target: String,
        version: String = "HTTP/1.1",
        host: Bool = true,
        auth: Bool = true,
        headers: [String] = [],
        body: String = ""
    ) -> [UInt8] {
        request("POST", target, version: version, host: host, auth: auth, headers: headers, body: body)
    }
}

// MARK: - The rig

/// A proxy (one worker, so every client connection shares one upstream pool; small limits and
/// upstream timeouts) with one path-routed model, `llm/x`, whose endpoint is
/// `http://127.0.0.1:<backend>/llm/x` on a `RecordingBackend`. Everything stops when it goes.
final class SmugglingFixture {
    static let configuration = """
        limits:
          maxRequestBodyBytes: 1024
          maxHeaderBytes: 4096
        upstream:
          responseTimeout: 2s
          idleTimeout: 2s
        shutdownGrace: 1s

        """

    let directory: URL
    let backend: RecordingBackend
    let proxy: RunningProxy

    init(script: @escaping @Sendable (BackendRequest) -> BackendReply? = { _ in nil }) throws {
        // A write to a connection the proxy closed fails (EPIPE) instead of ending the test process.
        signal(SIGPIPE, SIG_IGN)
        let directory = try LiveHarness.temporaryDirectory()
        do {
            let backend = try RecordingBackend(script: script)
            let models = directory.appendingPathComponent("models")
            try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
            let manifest = """
                apiVersion: maas.opendatahub.io/v1alpha1
                kind: MaaSModel
                metadata: {name: x, namespace: llm}
                spec: {modelRef: {kind: LLMInferenceService, name: x}}
                status: {phase: Ready, endpoint: "http://127.0.0.1:\(backend.port)/llm/x"}

                """
            try manifest.write(to: models.appendingPathComponent("catalog.yaml"), atomically: true, encoding: .utf8)
            let config = directory.appendingPathComponent("maas-proxy.yaml")
            try Self.configuration.write(to: config, atomically: true, encoding: .utf8)
            proxy = try LiveHarness.startProxy(arguments: [
                "--models", models.path, "--workers", "1", "--config", config.path,
            ])
            self.backend = backend
            self.directory = directory
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    deinit {
        proxy.process.terminate()
        backend.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A client whose every read gives up after a few seconds.
    func connect() throws -> RawHTTPClient {
        try RawHTTPClient(port: proxy.port, timeoutSeconds: 4)
    }
}

/// A response as read off the wire: its status line as sent, and any 1xx before it.
struct WireAnswer {
    var statusLine: String
    var interim: [String]
    var response: RawResponse

    var status: Int { response.status }

    var closes: Bool {
        response.headers.contains { $0.name.lowercased() == "connection" && $0.value.lowercased().contains("close") }
    }

    /// The recording backend's echo of the request it answered.
    var echo: (method: String, target: String, bodyBytes: Int)? {
        guard let object = try? response.json() as? [String: Any], let method = object["method"] as? String,
            let target = object["target"] as? String, let bodyBytes = object["bodyBytes"] as? Int
        else { return nil }
        return (method, target, bodyBytes)
    }

    var summary: String {
        let text = response.bodyText
        return "\(statusLine.debugDescription) \(text.count > 300 ? String(text.prefix(300)) + "…" : text)"
    }
}

/// A read that did not give a whole answer, in words.
func describeReadFailure(_ error: any Error) -> String {
    switch error {
    case RawHTTPError.readFailed(let code) where code == EAGAIN || code == EWOULDBLOCK:
        "nothing more arrived within the read timeout"
    case RawHTTPError.readFailed(let code) where code == ECONNRESET: "the connection was reset"
    case RawHTTPError.closed: "the connection closed before a whole answer"
    case RawHTTPError.malformed(let text): "not an HTTP answer: \(String(text.prefix(300)).debugDescription)"
    default: "\(error)"
    }
}

struct NoAnswer: Error, CustomStringConvertible {
    var description: String
}

/// What a connection does once an answer is read.
enum AfterAnswer: Equatable, CustomStringConvertible {
    /// The proxy closed it (end of stream or reset), nothing more sent.
    case closed
    /// Still open, silent until the read timeout.
    case stayedOpen
    /// Another answer arrived (to a request the client did not send as one).
    case anotherAnswer(String)
    /// Bytes that are not an answer, then the end.
    case strayBytes

    var description: String {
        switch self {
        case .closed: "closed"
        case .stayedOpen: "stayed open"
        case .anotherAnswer(let line): "another answer: \(line)"
        case .strayBytes: "stray bytes"
        }
    }
}

extension RawHTTPClient {
    /// Reads one answer, skipping (and keeping) 1xx ones unless `stopAtInterim`. The body is
    /// framed by the status (`HEAD`, 204, 304: none), `Content-Length`, chunked, or the close.
    func readAnswer(method: String, stopAtInterim: Bool = false) throws -> WireAnswer {
        var interim: [String] = []
        while true {
            let end = try readUntilMarker([13, 10, 13, 10])
            let head = String(decoding: takeBuffered(end + 4).dropLast(4), as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
                throw RawHTTPError.malformed(head)
            }
            let headers = lines.compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            var response = RawResponse(status: status, headers: headers, body: [])
            if (100..<200).contains(status) && status != 101 {
                if stopAtInterim { return WireAnswer(statusLine: statusLine, interim: interim, response: response) }
                interim.append(statusLine)
                continue
            }
            if method != "HEAD" && status != 204 && status != 304 {
                if let length = response.header("Content-Length").flatMap(Int.init) {
                    response.body = try readCount(length)
                } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
                    while let chunk = try readChunk() { response.body += chunk }
                } else {
                    response.body = try readUntilClose()
                }
            }
            return WireAnswer(statusLine: statusLine, interim: interim, response: response)
        }
    }

    /// Everything up to the peer's close (a close-delimited body); throws if it stays open.
    func readUntilClose() throws -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            do {
                bytes += try readCount(16_384)
            } catch RawHTTPError.closed {
                break
            } catch RawHTTPError.readFailed(let code) where code == ECONNRESET {
                break
            }
        }
        // At the end of the stream what is buffered is under 16 KiB: take it in decreasing powers
        // of two (each read at the end returns at once).
        var size = 8_192
        while size > 0 {
            if let part = try? readCount(size) { bytes += part } else { size /= 2 }
        }
        return bytes
    }

    /// `readAnswer`, failing with what happened instead (the test cannot go on without it).
    func expectAnswer(method: String, _ context: String) throws -> WireAnswer {
        do {
            return try readAnswer(method: method)
        } catch {
            throw NoAnswer(description: "\(context): no answer: \(describeReadFailure(error))")
        }
    }

    /// Whether anything follows an answer: another answer, stray bytes, the close, or silence.
    func afterAnswer() -> AfterAnswer {
        do {
            let next = try readAnswer(method: "GET")
            return .anotherAnswer(next.summary)
        } catch RawHTTPError.closed {
            return (try? readCount(1)) == nil ? .closed : .strayBytes
        } catch RawHTTPError.readFailed(let code) {
            return code == ECONNRESET ? .closed : .stayedOpen
        } catch {
            return .strayBytes
        }
    }
}
