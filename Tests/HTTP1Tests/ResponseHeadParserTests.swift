import Testing

@testable import HTTP1

@Suite("ResponseHeadParser")
struct ResponseHeadParserTests {
    enum Outcome: Sendable, Equatable {
        case head(status: Int, BodyFraming, keepAlive: Bool)
        case interim
        case invalid
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var input: String
        var requestWasHEAD = false
        var outcome: Outcome
        var testDescription: String { label }
    }

    static func response(_ fields: [String], line: String = "HTTP/1.1 200 OK") -> String {
        var text = line + "\r\n"
        for field in fields { text += field + "\r\n" }
        return text + "\r\n"
    }

    static let rows: [Row] = [
        Row(
            label: "200 with CL",
            input: response(["Content-Length: 5"]),
            outcome: .head(status: 200, .length(5), keepAlive: true)
        ),
        Row(
            label: "200 with CL 0",
            input: response(["Content-Length: 0"]),
            outcome: .head(status: 200, .length(0), keepAlive: true)
        ),
        Row(
            label: "no reason, no SP",
            input: response(["Content-Length: 0"], line: "HTTP/1.1 200"),
            outcome: .head(status: 200, .length(0), keepAlive: true)
        ),
        Row(
            label: "empty reason after SP",
            input: response(["Content-Length: 0"], line: "HTTP/1.1 404 "),
            outcome: .head(status: 404, .length(0), keepAlive: true)
        ),
        Row(
            label: "reason with spaces and obs-text",
            input: response(["Content-Length: 0"], line: "HTTP/1.1 500 Br\u{FC}k en\t!"),
            outcome: .head(status: 500, .length(0), keepAlive: true)
        ),
        Row(
            label: "no framing: until close",
            input: response([]),
            outcome: .head(status: 200, .untilClose, keepAlive: false)
        ),
        Row(
            label: "1.0 no framing",
            input: response([], line: "HTTP/1.0 200 OK"),
            outcome: .head(status: 200, .untilClose, keepAlive: false)
        ),
        Row(
            label: "1.0 with CL closes",
            input: response(["Content-Length: 1"], line: "HTTP/1.0 200 OK"),
            outcome: .head(status: 200, .length(1), keepAlive: false)
        ),
        Row(
            label: "1.0 keep-alive",
            input: response(["Content-Length: 1", "Connection: keep-alive"], line: "HTTP/1.0 200 OK"),
            outcome: .head(status: 200, .length(1), keepAlive: true)
        ),
        Row(
            label: "1.1 close",
            input: response(["Content-Length: 1", "Connection: Close"]),
            outcome: .head(status: 200, .length(1), keepAlive: false)
        ),
        Row(
            label: "204 ignores CL",
            input: response(["Content-Length: 7"], line: "HTTP/1.1 204 No Content"),
            outcome: .head(status: 204, .none, keepAlive: true)
        ),
        Row(
            label: "204 without fields",
            input: response([], line: "HTTP/1.1 204 No Content"),
            outcome: .head(status: 204, .none, keepAlive: true)
        ),
        Row(
            label: "304 ignores TE",
            input: response(["Transfer-Encoding: chunked"], line: "HTTP/1.1 304 Not Modified"),
            outcome: .head(status: 304, .none, keepAlive: true)
        ),
        Row(
            label: "HEAD ignores CL",
            input: response(["Content-Length: 100"]),
            requestWasHEAD: true,
            outcome: .head(status: 200, .none, keepAlive: true)
        ),
        Row(
            label: "HEAD without framing",
            input: response([]),
            requestWasHEAD: true,
            outcome: .head(status: 200, .none, keepAlive: true)
        ),
        Row(
            label: "chunked",
            input: response(["Transfer-Encoding: chunked"]),
            outcome: .head(status: 200, .chunked, keepAlive: true)
        ),
        Row(
            label: "gzip, chunked",
            input: response(["Transfer-Encoding: gzip, Chunked"]),
            outcome: .head(status: 200, .chunked, keepAlive: true)
        ),
        Row(
            label: "TE over two fields",
            input: response(["Transfer-Encoding: gzip", "Transfer-Encoding: chunked"]),
            outcome: .head(status: 200, .chunked, keepAlive: true)
        ),
        Row(
            label: "chunked not last",
            input: response(["Transfer-Encoding: chunked, gzip"]),
            outcome: .head(status: 200, .untilClose, keepAlive: false)
        ),
        Row(
            label: "TE gzip only",
            input: response(["Transfer-Encoding: gzip"]),
            outcome: .head(status: 200, .untilClose, keepAlive: false)
        ),
        Row(
            label: "TE with parameters",
            input: response(["Transfer-Encoding: chunked;x=1"]),
            outcome: .head(status: 200, .untilClose, keepAlive: false)
        ),
        Row(
            label: "chunked beats CL, no reuse",
            input: response(["Content-Length: 5", "Transfer-Encoding: chunked"]),
            outcome: .head(status: 200, .chunked, keepAlive: false)
        ),
        Row(
            label: "chunked beats a bad CL",
            input: response(["Content-Length: x", "Transfer-Encoding: chunked"]),
            outcome: .head(status: 200, .chunked, keepAlive: false)
        ),
        Row(
            label: "1.0 chunked, no reuse",
            input: response(["Transfer-Encoding: chunked", "Connection: keep-alive"], line: "HTTP/1.0 200 OK"),
            outcome: .head(status: 200, .chunked, keepAlive: false)
        ),
        Row(
            label: "CL repeated equal",
            input: response(["Content-Length: 5", "Content-Length: 5"]),
            outcome: .head(status: 200, .length(5), keepAlive: true)
        ),
        Row(
            label: "CL repeated different",
            input: response(["Content-Length: 5", "Content-Length: 6"]),
            outcome: .invalid
        ),
        Row(label: "CL invalid", input: response(["Content-Length: abc"]), outcome: .invalid),
        Row(label: "CL signed", input: response(["Content-Length: +5"]), outcome: .invalid),
        Row(label: "CL list", input: response(["Content-Length: 5, 5"]), outcome: .invalid),
        Row(
            label: "CL invalid on HEAD",
            input: response(["Content-Length: -1"]),
            requestWasHEAD: true,
            outcome: .invalid
        ),
        Row(label: "100 Continue", input: response([], line: "HTTP/1.1 100 Continue"), outcome: .interim),
        Row(
            label: "103 Early Hints",
            input: response(["Link: </a>; rel=preload"], line: "HTTP/1.1 103 Early Hints"),
            outcome: .interim
        ),
        Row(
            label: "101 refused",
            input: response(["Upgrade: websocket"], line: "HTTP/1.1 101 Switching Protocols"),
            outcome: .invalid
        ),
        Row(label: "HTTP/2", input: response([], line: "HTTP/2 200 OK"), outcome: .invalid),
        Row(label: "HTTP/1.2", input: response([], line: "HTTP/1.2 200 OK"), outcome: .invalid),
        Row(label: "HTTP/0.9", input: response([], line: "HTTP/0.9 200 OK"), outcome: .invalid),
        Row(label: "lowercase http", input: response([], line: "http/1.1 200 OK"), outcome: .invalid),
        Row(label: "two-digit status", input: response([], line: "HTTP/1.1 20 OK"), outcome: .invalid),
        Row(label: "four-digit status", input: response([], line: "HTTP/1.1 2000 OK"), outcome: .invalid),
        Row(label: "status 099", input: response([], line: "HTTP/1.1 099 X"), outcome: .invalid),
        Row(label: "status 600", input: response([], line: "HTTP/1.1 600 X"), outcome: .invalid),
        Row(label: "status with letters", input: response([], line: "HTTP/1.1 2x0 X"), outcome: .invalid),
        Row(label: "double SP", input: response([], line: "HTTP/1.1  200 OK"), outcome: .invalid),
        Row(label: "HTAB after version", input: response([], line: "HTTP/1.1\t200 OK"), outcome: .invalid),
        Row(label: "space before colon", input: response(["Content-Length : 5"]), outcome: .invalid),
        Row(label: "obs-fold", input: response(["X: a", " b"]), outcome: .invalid),
        Row(label: "empty name", input: response([": a"]), outcome: .invalid),
        Row(label: "NUL in value", input: response(["X: \u{0}"]), outcome: .invalid),
        Row(label: "bare LF", input: "HTTP/1.1 200 OK\nContent-Length: 0\n\n", outcome: .invalid),
        Row(label: "bare CR", input: response(["X: a\rb"]), outcome: .invalid),
        Row(
            label: "leading CRLF skipped",
            input: "\r\n" + response(["Content-Length: 0"]),
            outcome: .head(status: 200, .length(0), keepAlive: true)
        ),
    ]

    @Test(arguments: rows)
    func table(_ row: Row) {
        let result = parseResponse(bytes(row.input), head: row.requestWasHEAD)
        switch row.outcome {
        case .head(let status, let framing, let keepAlive):
            guard let head = result.head else {
                Issue.record("expected a head, got \(result)")
                return
            }
            #expect(head.status == status)
            #expect(head.framing == framing)
            #expect(head.keepAlive == keepAlive)
            #expect(result.consumed == row.input.utf8.count)
        case .interim:
            #expect(result.isInterim, "got \(result)")
            #expect(result.consumed == row.input.utf8.count)
        case .invalid:
            #expect(result.isInvalid, "got \(result)")
        }
    }

    @Test func interimThenFinal() throws {
        let interim = Self.response([], line: "HTTP/1.1 100 Continue")
        let final = Self.response(["Content-Length: 2", "Content-Type: text/plain"], line: "HTTP/1.1 201 Created")
        var buffer = bytes(interim + final + "okHTTP/1.1")
        var parser = ResponseHeadParser(maxHeadBytes: 8192)
        let first = buffer.withUnsafeBytes { parser.parse($0, requestWasHEAD: false) }
        #expect(first.isInterim)
        #expect(first.consumed == interim.utf8.count)
        buffer.removeFirst(interim.utf8.count)
        let second = buffer.withUnsafeBytes { parser.parse($0, requestWasHEAD: false) }
        let head = try #require(second.head)
        #expect(second.consumed == final.utf8.count)
        #expect(head.status == 201)
        #expect(head.version == .http11)
        #expect(head.framing == .length(2))
        let index = try #require(head.firstField("content-type"))
        #expect(head.string(head.fields[index].value) == "text/plain")
        #expect(head.nameEquals(head.fields[index], "content-type"))
        #expect(head.value("content-length") == "2")
        #expect(head.string(0..<8) == "HTTP/1.1")
    }

    @Test func tooLarge() {
        let text = Self.response(["X: " + String(repeating: "a", count: 100)])
        #expect(parseResponse(bytes(text), maxHeadBytes: 64).isInvalid)
        #expect(parseResponse(Array(bytes(text).prefix(64)), maxHeadBytes: 64).isInvalid)
        #expect(parseResponse(Array(bytes(text).prefix(63)), maxHeadBytes: 64).isNeedMore)
    }

    static let splitInputs: [String] = [
        response(["Content-Length: 5"]),
        "\r\n"
            + response(
                ["Transfer-Encoding: gzip, chunked", "Connection: keep-alive", "X: \t y \t"],
                line: "HTTP/1.0 200"
            ),
        response([], line: "HTTP/1.1 204 "),
    ]

    @Test(arguments: splitInputs)
    func everySplitPoint(_ text: String) throws {
        let input = bytes(text)
        let whole = try #require(parseResponse(input).head)
        var parser = ResponseHeadParser(maxHeadBytes: 8192)
        for end in 0..<input.count {
            let partial = input[..<end].withUnsafeBytes { parser.parse($0, requestWasHEAD: false) }
            #expect(partial.isNeedMore, "prefix \(end) gave \(partial)")
        }
        let result = input.withUnsafeBytes { parser.parse($0, requestWasHEAD: false) }
        let head = try #require(result.head)
        #expect(result.consumed == input.count)
        #expect(head.bytes == whole.bytes)
        #expect(head.fields == whole.fields)
        #expect(head.status == whole.status)
        #expect(head.framing == whole.framing)
        #expect(head.keepAlive == whole.keepAlive)
    }
}
