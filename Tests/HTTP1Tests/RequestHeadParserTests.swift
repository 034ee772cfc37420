import Testing

@testable import HTTP1

@Suite("RequestHeadParser")
struct RequestHeadParserTests {
    enum Outcome: Sendable, Equatable {
        case accept(BodyFraming, keepAlive: Bool)
        case refuse(Int)

        static let ok = Outcome.accept(.none, keepAlive: true)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var input: String
        var outcome: Outcome
        var limits = testLimits
        var testDescription: String { label }
    }

    static let requestLineRows: [Row] = [
        Row(label: "plain GET", input: request([]), outcome: .ok),
        Row(label: "every known method", input: request([], line: "DELETE /x HTTP/1.1"), outcome: .ok),
        Row(label: "PATCH", input: request([], line: "PATCH /x HTTP/1.1"), outcome: .ok),
        Row(label: "OPTIONS *", input: request([], line: "OPTIONS * HTTP/1.1"), outcome: .ok),
        Row(label: "TRACE is 501", input: request([], line: "TRACE / HTTP/1.1"), outcome: .refuse(501)),
        Row(label: "CONNECT is 501", input: request([], line: "CONNECT a.com:443 HTTP/1.1"), outcome: .refuse(501)),
        Row(label: "FOO is 501", input: request([], line: "FOO / HTTP/1.1"), outcome: .refuse(501)),
        Row(
            label: "lowercase get is 501 (case-sensitive)",
            input: request([], line: "get / HTTP/1.1"),
            outcome: .refuse(501)
        ),
        Row(label: "method not a token", input: request([], line: "G@T / HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "method with parens", input: request([], line: "(GET) / HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "empty method", input: request([], line: " / HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "HTTP/0.9", input: request([], line: "GET / HTTP/0.9"), outcome: .refuse(505)),
        Row(label: "HTTP/1.2", input: request([], line: "GET / HTTP/1.2"), outcome: .refuse(505)),
        Row(label: "HTTP/2.0", input: request([], line: "GET / HTTP/2.0"), outcome: .refuse(505)),
        Row(label: "HTTP/2", input: request([], line: "GET / HTTP/2"), outcome: .refuse(505)),
        Row(label: "HTTP/1.19620", input: request([], line: "GET / HTTP/1.19620"), outcome: .refuse(505)),
        Row(label: "HTTP/-01.1", input: request([], line: "GET / HTTP/-01.1"), outcome: .refuse(505)),
        Row(
            label: "version checked before method",
            input: request([], line: "TRACE / HTTP/2.0"),
            outcome: .refuse(505)
        ),
        Row(label: "lowercase http/1.1", input: request([], line: "GET / http/1.1"), outcome: .refuse(400)),
        Row(label: "HTTP/1.1x", input: request([], line: "GET / HTTP/1.1x"), outcome: .refuse(400)),
        Row(label: "HTTP/ alone", input: request([], line: "GET / HTTP/"), outcome: .refuse(400)),
        Row(label: "HTTX/1.1", input: request([], line: "GET / HTTX/1.1"), outcome: .refuse(400)),
        Row(label: "no version", input: request([], line: "GET /"), outcome: .refuse(400)),
        Row(label: "no target", input: request([], line: "GET"), outcome: .refuse(400)),
        Row(label: "double SP after method", input: request([], line: "GET  / HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "double SP before version", input: request([], line: "GET /  HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "trailing SP", input: request([], line: "GET / HTTP/1.1 "), outcome: .refuse(400)),
        Row(label: "HTAB separator", input: request([], line: "GET\t/ HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "raw space in target", input: request([], line: "GET /a b HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "fragment", input: request([], line: "GET /a#frag HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "absolute-form", input: request([], line: "GET http://a.com/ HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "authority-form", input: request([], line: "GET a.com:443 HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "asterisk on GET", input: request([], line: "GET * HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "asterisk with more", input: request([], line: "OPTIONS *x HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "non-ASCII in target", input: request([], line: "GET /caf\u{E9} HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "DEL in target", input: request([], line: "GET /a\u{7F} HTTP/1.1"), outcome: .refuse(400)),
        Row(label: "NUL in target", input: request([], line: "GET /a\u{0} HTTP/1.1"), outcome: .refuse(400)),
        Row(
            label: "HTTP/1.0 without Host",
            input: request([], line: "GET / HTTP/1.0", host: false),
            outcome: .accept(.none, keepAlive: false)
        ),
        Row(label: "query and percent", input: request([], line: "GET /a%20b?x=1&y=%2F HTTP/1.1"), outcome: .ok),
    ]

    static let lineRows: [Row] = [
        Row(label: "one leading CRLF", input: "\r\n" + request([]), outcome: .ok),
        Row(label: "eight leading CRLFs", input: String(repeating: "\r\n", count: 8) + request([]), outcome: .ok),
        Row(
            label: "nine leading CRLFs",
            input: String(repeating: "\r\n", count: 9) + request([]),
            outcome: .refuse(400)
        ),
        Row(label: "leading bare LF", input: "\n" + request([]), outcome: .refuse(400)),
        Row(label: "bare LF line ends", input: "GET / HTTP/1.1\nHost: a\n\n", outcome: .refuse(400)),
        Row(label: "bare LF at the end", input: "GET / HTTP/1.1\r\nHost: a\r\n\n", outcome: .refuse(400)),
        Row(label: "bare CR in value", input: request(["X: a\rb"]), outcome: .refuse(400)),
        Row(label: "bare CR in request line", input: "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", outcome: .refuse(400)),
        Row(label: "NUL in value", input: request(["X: a\u{0}b"]), outcome: .refuse(400)),
        Row(label: "vertical tab in value", input: request(["X: a\u{0B}b"]), outcome: .refuse(400)),
        Row(label: "form feed in value", input: request(["X: a\u{0C}b"]), outcome: .refuse(400)),
        Row(label: "ESC in value", input: request(["X: \u{1B}[1m"]), outcome: .refuse(400)),
        Row(label: "DEL in value", input: request(["X: a\u{7F}"]), outcome: .refuse(400)),
        Row(label: "HTAB in value", input: request(["X: a\tb"]), outcome: .ok),
        Row(label: "obs-text in value", input: request(["X: caf\u{E9} \u{1F600}"]), outcome: .ok),
        Row(label: "empty value", input: request(["X:"]), outcome: .ok),
        Row(label: "OWS-only value", input: request(["X: \t "]), outcome: .ok),
        Row(label: "obs-fold with SP", input: request(["X: a", " b"]), outcome: .refuse(400)),
        Row(label: "obs-fold with HTAB", input: request(["X: a", "\tb"]), outcome: .refuse(400)),
        Row(label: "Content-Length SP colon", input: request(["Content-Length : 5"]), outcome: .refuse(400)),
        Row(
            label: "Transfer-Encoding SP colon",
            input: request(["Transfer-Encoding : chunked"]),
            outcome: .refuse(400)
        ),
        Row(label: "HTAB before colon", input: request(["X\t: y"]), outcome: .refuse(400)),
        Row(label: "empty field name", input: request([": x"]), outcome: .refuse(400)),
        Row(label: "space in field name", input: request(["Na me: x"]), outcome: .refuse(400)),
        Row(label: "parens in field name", input: request(["X(y): z"]), outcome: .refuse(400)),
        Row(label: "non-ASCII field name", input: request(["X-\u{E9}: z"]), outcome: .refuse(400)),
        Row(label: "no colon", input: request(["NoColon"]), outcome: .refuse(400)),
        Row(label: "odd but valid token name", input: request(["X-!#$%&'*+.^_`|~: z"]), outcome: .ok),
        Row(
            label: "head over the limit",
            input: request(["X: " + String(repeating: "a", count: 200)]),
            outcome: .refuse(431),
            limits: HeadLimits(maxHeadBytes: 128, maxBodyBytes: 10)
        ),
        Row(
            label: "head exactly at the limit",
            input: request(["X: aaaa"]),
            outcome: .ok,
            limits: HeadLimits(maxHeadBytes: request(["X: aaaa"]).utf8.count, maxBodyBytes: 10)
        ),
        Row(
            label: "head one byte over the limit",
            input: request(["X: aaaa"]),
            outcome: .refuse(431),
            limits: HeadLimits(maxHeadBytes: request(["X: aaaa"]).utf8.count - 1, maxBodyBytes: 10)
        ),
        Row(
            label: "leading CRLFs do not count",
            input: "\r\n\r\n" + request(["X: aaaa"]),
            outcome: .ok,
            limits: HeadLimits(maxHeadBytes: request(["X: aaaa"]).utf8.count, maxBodyBytes: 10)
        ),
        Row(
            label: "maxFields fields",
            input: request(["A: 1", "B: 2"]),
            outcome: .ok,
            limits: HeadLimits(maxHeadBytes: 8192, maxBodyBytes: 10, maxFields: 3)
        ),
        Row(
            label: "more than maxFields",
            input: request(["A: 1", "B: 2", "C: 3"]),
            outcome: .refuse(431),
            limits: HeadLimits(maxHeadBytes: 8192, maxBodyBytes: 10, maxFields: 3)
        ),
    ]

    static let fieldRuleRows: [Row] = [
        Row(label: "1.1 without Host", input: request([], host: false), outcome: .refuse(400)),
        Row(label: "1.1 two Host", input: request(["Host: b"]), outcome: .refuse(400)),
        Row(label: "1.1 two Host any case", input: request(["hOST: example.com"]), outcome: .refuse(400)),
        Row(label: "1.0 two Host", input: request(["Host: b"], line: "GET / HTTP/1.0"), outcome: .refuse(400)),
        Row(
            label: "1.0 one Host",
            input: request([], line: "GET / HTTP/1.0"),
            outcome: .accept(.none, keepAlive: false)
        ),
        Row(label: "one Authorization", input: request(["Authorization: Bearer a"]), outcome: .ok),
        Row(
            label: "two Authorization",
            input: request(["Authorization: Bearer a", "authorization: Bearer b"]),
            outcome: .refuse(400)
        ),
        Row(label: "CL 5", input: request(["Content-Length: 5"]), outcome: .accept(.length(5), keepAlive: true)),
        Row(label: "CL 0", input: request(["Content-Length: 0"]), outcome: .accept(.length(0), keepAlive: true)),
        Row(
            label: "CL with OWS around",
            input: request(["Content-Length: \t5 "]),
            outcome: .accept(.length(5), keepAlive: true)
        ),
        Row(
            label: "CL leading zeros",
            input: request(["Content-Length: 007"]),
            outcome: .accept(.length(7), keepAlive: true)
        ),
        Row(
            label: "CL at maxBodyBytes",
            input: request(["Content-Length: 1000000"]),
            outcome: .accept(.length(1_000_000), keepAlive: true)
        ),
        Row(label: "CL over maxBodyBytes", input: request(["Content-Length: 1000001"]), outcome: .refuse(413)),
        Row(label: "CL 18 digits", input: request(["Content-Length: 999999999999999999"]), outcome: .refuse(413)),
        Row(label: "CL 19 digits", input: request(["Content-Length: 1000000000000000000"]), outcome: .refuse(400)),
        Row(label: "CL +5", input: request(["Content-Length: +5"]), outcome: .refuse(400)),
        Row(label: "CL -5", input: request(["Content-Length: -5"]), outcome: .refuse(400)),
        Row(label: "CL 5 5", input: request(["Content-Length: 5 5"]), outcome: .refuse(400)),
        Row(label: "CL list 5, 5", input: request(["Content-Length: 5, 5"]), outcome: .refuse(400)),
        Row(label: "CL hex", input: request(["Content-Length: 0x5"]), outcome: .refuse(400)),
        Row(label: "CL empty", input: request(["Content-Length:"]), outcome: .refuse(400)),
        Row(label: "CL 5.0", input: request(["Content-Length: 5.0"]), outcome: .refuse(400)),
        Row(
            label: "CL repeated equal",
            input: request(["Content-Length: 5", "Content-Length: 5"]),
            outcome: .refuse(400)
        ),
        Row(
            label: "CL repeated different",
            input: request(["Content-Length: 5", "content-length: 6"]),
            outcome: .refuse(400)
        ),
        Row(
            label: "GET with CL has a body",
            input: request(["Content-Length: 3"]),
            outcome: .accept(.length(3), keepAlive: true)
        ),
        Row(
            label: "HEAD with CL has a body",
            input: request(["Content-Length: 3"], line: "HEAD / HTTP/1.1"),
            outcome: .accept(.length(3), keepAlive: true)
        ),
        Row(
            label: "TE chunked",
            input: request(["Transfer-Encoding: chunked"]),
            outcome: .accept(.chunked, keepAlive: true)
        ),
        Row(
            label: "TE CHUNKED",
            input: request(["Transfer-Encoding: CHUNKED"]),
            outcome: .accept(.chunked, keepAlive: true)
        ),
        Row(
            label: "TE chunked with OWS",
            input: request(["transfer-encoding:\t chunked \t"]),
            outcome: .accept(.chunked, keepAlive: true)
        ),
        Row(
            label: "GET with TE has a body",
            input: request(["Transfer-Encoding: chunked"], line: "GET /x HTTP/1.1"),
            outcome: .accept(.chunked, keepAlive: true)
        ),
        Row(label: "TE xchunked", input: request(["Transfer-Encoding: xchunked"]), outcome: .refuse(400)),
        Row(label: "TE chunkedx", input: request(["Transfer-Encoding: chunkedx"]), outcome: .refuse(400)),
        Row(label: "TE quoted", input: request(["Transfer-Encoding: \"chunked\""]), outcome: .refuse(400)),
        Row(label: "TE vertical tab", input: request(["Transfer-Encoding: \u{0B}chunked"]), outcome: .refuse(400)),
        Row(label: "TE chunked x", input: request(["Transfer-Encoding: chunked x"]), outcome: .refuse(400)),
        Row(
            label: "TE chunked, chunked",
            input: request(["Transfer-Encoding: chunked, chunked"]),
            outcome: .refuse(400)
        ),
        Row(label: "TE gzip, chunked", input: request(["Transfer-Encoding: gzip, chunked"]), outcome: .refuse(400)),
        Row(label: "TE chunked;x=1", input: request(["Transfer-Encoding: chunked;x=1"]), outcome: .refuse(400)),
        Row(label: "TE identity", input: request(["Transfer-Encoding: identity"]), outcome: .refuse(400)),
        Row(label: "TE empty", input: request(["Transfer-Encoding:"]), outcome: .refuse(400)),
        Row(
            label: "TE twice",
            input: request(["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"]),
            outcome: .refuse(400)
        ),
        Row(
            label: "TE and CL",
            input: request(["Transfer-Encoding: chunked", "Content-Length: 5"]),
            outcome: .refuse(400)
        ),
        Row(
            label: "CL and TE",
            input: request(["Content-Length: 5", "Transfer-Encoding: chunked"]),
            outcome: .refuse(400)
        ),
        Row(
            label: "TE on HTTP/1.0",
            input: request(["Transfer-Encoding: chunked"], line: "POST / HTTP/1.0"),
            outcome: .refuse(400)
        ),
        Row(
            label: "Connection: close",
            input: request(["Connection: close"]),
            outcome: .accept(.none, keepAlive: false)
        ),
        Row(
            label: "Connection: CLOSE",
            input: request(["Connection: CLOSE"]),
            outcome: .accept(.none, keepAlive: false)
        ),
        Row(
            label: "Connection list with close",
            input: request(["Connection: foo, close ,bar"]),
            outcome: .accept(.none, keepAlive: false)
        ),
        Row(
            label: "second Connection field closes",
            input: request(["Connection: foo", "Connection: close"]),
            outcome: .accept(.none, keepAlive: false)
        ),
        Row(label: "Connection: closed is not close", input: request(["Connection: closed"]), outcome: .ok),
        Row(
            label: "1.0 default close",
            input: request([], line: "GET / HTTP/1.0"),
            outcome: .accept(.none, keepAlive: false)
        ),
        Row(
            label: "1.0 keep-alive",
            input: request(["Connection: Keep-Alive"], line: "GET / HTTP/1.0"),
            outcome: .accept(.none, keepAlive: true)
        ),
        Row(
            label: "1.0 keep-alive and close",
            input: request(["Connection: keep-alive, close"], line: "GET / HTTP/1.0"),
            outcome: .accept(.none, keepAlive: false)
        ),
        Row(
            label: "1.0 with CL",
            input: request(["Content-Length: 2"], line: "POST / HTTP/1.0"),
            outcome: .accept(.length(2), keepAlive: false)
        ),
    ]

    static func check(_ row: Row) {
        let result = parseRequest(bytes(row.input), limits: row.limits)
        switch row.outcome {
        case .accept(let framing, let keepAlive):
            guard let head = result.head else {
                Issue.record("expected a head, got \(result)")
                return
            }
            #expect(head.framing == framing)
            #expect(head.keepAlive == keepAlive)
            #expect(result.consumed == row.input.utf8.count)
        case .refuse(let status):
            #expect(result.refusal?.status == status, "got \(result)")
        }
    }

    @Test(arguments: requestLineRows)
    func requestLine(_ row: Row) { Self.check(row) }

    @Test(arguments: lineRows)
    func lines(_ row: Row) { Self.check(row) }

    @Test(arguments: fieldRuleRows)
    func fieldRules(_ row: Row) { Self.check(row) }

    @Test func headContents() throws {
        let text =
            "\r\nPOST /v1/chat?model=a&x=%20 HTTP/1.1\r\nHost: api.example\r\nX-Empty:\r\n"
            + "Content-Type:  application/json \t\r\nExpect: 100-Continue\r\nX-Dup: 1\r\nx-dup: 2\r\n"
            + "Content-Length: 2\r\n\r\n{}"
        let result = parseRequest(bytes(text))
        let head = try #require(result.head)
        #expect(result.consumed == text.utf8.count - 2)
        #expect(head.bytes.first == UInt8(ascii: "P"))
        #expect(head.bytes.count == text.utf8.count - 4)
        #expect(head.method == .post)
        #expect(head.method.name == "POST")
        #expect(head.version == .http11)
        #expect(head.string(head.target) == "/v1/chat?model=a&x=%20")
        #expect(head.path == "/v1/chat")
        #expect(head.query == "model=a&x=%20")
        #expect(head.fields.count == 7)
        #expect(head.value("host") == "api.example")
        #expect(head.value("content-type") == "application/json")
        #expect(head.value("x-empty") == "")
        #expect(head.value("missing") == nil)
        #expect(head.firstField("x-dup") == 4)
        #expect(head.fields(named: "x-dup").map { head.string($0.value) } == ["1", "2"])
        #expect(head.nameEquals(head.fields[0], "host"))
        #expect(!head.nameEquals(head.fields[0], "hos"))
        #expect(head.string(head.fields[2].name) == "Content-Type")
        #expect(head.expectsContinue)
        #expect(head.framing == .length(2))
        #expect(head.keepAlive)
    }

    @Test func noQueryAndAsterisk() throws {
        let plain = try #require(parseRequest(bytes(request([], line: "GET /a/b HTTP/1.1"))).head)
        #expect(plain.path == "/a/b")
        #expect(plain.query == nil)
        #expect(plain.pathEnd == plain.target.upperBound)
        #expect(!plain.expectsContinue)
        let emptyQuery = try #require(parseRequest(bytes(request([], line: "GET /a? HTTP/1.1"))).head)
        #expect(emptyQuery.query == "")
        let star = try #require(parseRequest(bytes(request([], line: "OPTIONS * HTTP/1.1"))).head)
        #expect(star.method == .options)
        #expect(star.path == "*")
        #expect(star.query == nil)
    }

    @Test func methodRefusalCarriesTheToken() {
        let long = String(repeating: "X", count: 100)
        #expect(parseRequest(bytes(request([], line: "TRACE / HTTP/1.1"))).refusal == .methodNotSupported("TRACE"))
        #expect(
            parseRequest(bytes(request([], line: "\(long) / HTTP/1.1"))).refusal
                == .methodNotSupported(String(repeating: "X", count: 32))
        )
    }

    @Test func refusalStatusAndCode() {
        let table: [(RequestRefusal, Int, String)] = [
            (.badRequest("x"), 400, "bad_request"),
            (.versionNotSupported, 505, "http_version_not_supported"),
            (.headersTooLarge, 431, "headers_too_large"),
            (.bodyTooLarge, 413, "request_too_large"),
            (.methodNotSupported("TRACE"), 501, "method_not_supported"),
        ]
        for (refusal, status, code) in table {
            #expect(refusal.status == status)
            #expect(refusal.code == code)
        }
    }

    @Test func tooLargeIsKnownWithoutTheEnd() {
        // No CRLF at all: the refusal must come as soon as maxHeadBytes bytes are here.
        let limits = HeadLimits(maxHeadBytes: 64, maxBodyBytes: 10)
        #expect(parseRequest(Array(repeating: UInt8(ascii: "a"), count: 63), limits: limits).isNeedMore)
        #expect(
            parseRequest(Array(repeating: UInt8(ascii: "a"), count: 64), limits: limits).refusal == .headersTooLarge
        )
        // A CR as the 64th byte: its LF would be the 65th.
        let crLast = bytes("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 35) + "\r")
        #expect(crLast.count == 64)
        #expect(parseRequest(crLast, limits: limits).refusal == .headersTooLarge)
    }

    @Test func errorsAreSeenBeforeTheEnd() {
        // A bad line is refused when its CRLF arrives, not when the head ends.
        #expect(parseRequest(bytes("GET / HTTP/1.1\r\nBad Name: x\r\n")).refusal?.status == 400)
        #expect(parseRequest(bytes("GET / HTTP/9.9\r\n")).refusal == .versionNotSupported)
        #expect(parseRequest(bytes("GET / HTTP/1.1\n")).refusal?.status == 400)
    }

    @Test func refusalIsSticky() {
        var parser = RequestHeadParser(limits: testLimits)
        let bad = bytes("GET / HTTP/7.0\r\n")
        #expect(bad.withUnsafeBytes { parser.parse($0) }.refusal == .versionNotSupported)
        let good = bytes(request([]))
        #expect(good.withUnsafeBytes { parser.parse($0) }.refusal == .versionNotSupported)
        parser.reset()
        #expect(good.withUnsafeBytes { parser.parse($0) }.head != nil)
    }

    @Test func pipelinedRequests() throws {
        let first = request(["Content-Length: 5"], line: "GET /one HTTP/1.1")
        let second = request([], line: "HEAD /two HTTP/1.1")
        let third = request(["Connection: close"], line: "DELETE /three HTTP/1.1")
        var buffer = bytes(first + "hello" + second + "\r\n" + third)
        var parser = RequestHeadParser(limits: testLimits)
        var result = buffer.withUnsafeBytes { parser.parse($0) }
        var head = try #require(result.head)
        #expect(result.consumed == first.utf8.count)
        #expect(head.path == "/one")
        #expect(head.framing == .length(5))
        buffer.removeFirst(first.utf8.count + 5)
        parser.reset()
        result = buffer.withUnsafeBytes { parser.parse($0) }
        head = try #require(result.head)
        #expect(result.consumed == second.utf8.count)
        #expect(head.method == .head)
        #expect(head.framing == .none)
        buffer.removeFirst(second.utf8.count)
        // Without reset(): the parser resets itself after a head.
        result = buffer.withUnsafeBytes { parser.parse($0) }
        head = try #require(result.head)
        #expect(result.consumed == third.utf8.count + 2)
        #expect(head.method == .delete)
        #expect(!head.keepAlive)
        #expect(head.string(head.fields[1].value) == "close")
    }

    static let splitInputs: [String] = [
        request([]),
        "\r\n\r\n" + request(["Content-Length: 12", "X-A: \t b \t", "Connection: keep-alive, close"]),
        request(["Transfer-Encoding: chunked", "Authorization: Bearer t"], line: "POST /v1/x?y=1 HTTP/1.1"),
        request(["Connection: keep-alive"], line: "OPTIONS * HTTP/1.0"),
    ]

    @Test(arguments: splitInputs)
    func everySplitPoint(_ text: String) throws {
        let input = bytes(text)
        let whole = try #require(parseRequest(input).head)
        var parser = RequestHeadParser(limits: testLimits)
        for end in 0..<input.count {
            let partial = input[..<end].withUnsafeBytes { parser.parse($0) }
            #expect(partial.isNeedMore, "prefix \(end) gave \(partial)")
        }
        let result = input.withUnsafeBytes { parser.parse($0) }
        let head = try #require(result.head)
        #expect(result.consumed == input.count)
        #expect(head.bytes == whole.bytes)
        #expect(head.fields == whole.fields)
        #expect(head.target == whole.target)
        #expect(head.pathEnd == whole.pathEnd)
        #expect(head.method == whole.method)
        #expect(head.version == whole.version)
        #expect(head.framing == whole.framing)
        #expect(head.keepAlive == whole.keepAlive)
    }

    @Test func everySplitPointOfARefusal() {
        // A refusal found mid-head is the same whichever way the bytes trickle in.
        let input = bytes(request(["Content-Length : 5"]))
        var parser = RequestHeadParser(limits: testLimits)
        var refusal: RequestRefusal?
        for end in 1...input.count where refusal == nil {
            refusal = input[..<end].withUnsafeBytes { parser.parse($0) }.refusal
        }
        #expect(refusal?.status == 400)
    }
}
