import AccessCheck
import Testing

@testable import MaaSProxy

/// The head of an answer to a client, byte for byte: the status line always HTTP/1.1, the caller's
/// fields but never its framing or connection fields, then `X-Request-Id`, the proxy's own framing
/// and `Connection` field (SPEC 5.4).
@Suite struct AnswerHeadTests {
    private static func written(
        status: Int,
        headers: [HTTPHeader],
        requestID: String = "rid-1",
        framing: AnswerHead.Framing,
        connection: AnswerHead.ConnectionField
    ) -> String {
        let buffer = ByteBuffer()
        AnswerHead.write(
            status: status,
            headers: headers,
            requestID: requestID,
            framing: framing,
            connection: connection,
            into: buffer
        )
        return buffer.withUnreadBytes { String(decoding: $0, as: UTF8.self) }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var status: Int
        var headers: [HTTPHeader]
        var framing: AnswerHead.Framing
        var connection: AnswerHead.ConnectionField
        var expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "HTTP/1.1 keep-alive, Content-Length",
            status: 200,
            headers: [HTTPHeader("Content-Type", "application/json")],
            framing: .contentLength(17),
            connection: .none,
            expected:
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: rid-1\r\nContent-Length: 17\r\n\r\n"
        ),
        Case(
            name: "bodiless 204",
            status: 204,
            headers: [],
            framing: .bodiless,
            connection: .none,
            expected: "HTTP/1.1 204 No Content\r\nX-Request-Id: rid-1\r\n\r\n"
        ),
        Case(
            name: "HEAD-like bodiless 200 with its fields",
            status: 200,
            headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("ETag", "\"v1\"")],
            framing: .bodiless,
            connection: .none,
            expected: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: \"v1\"\r\nX-Request-Id: rid-1\r\n\r\n"
        ),
        Case(
            name: "chunked stream",
            status: 200,
            headers: [HTTPHeader("Content-Type", "text/event-stream"), HTTPHeader("Cache-Control", "no-cache")],
            framing: .chunked,
            connection: .none,
            expected:
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nX-Request-Id: rid-1\r\nTransfer-Encoding: chunked\r\n\r\n"
        ),
        Case(
            name: "chunked, closing",
            status: 200,
            headers: [],
            framing: .chunked,
            connection: .close,
            expected:
                "HTTP/1.1 200 OK\r\nX-Request-Id: rid-1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ),
        Case(
            name: "HTTP/1.0 keep-alive, Content-Length",
            status: 200,
            headers: [HTTPHeader("Content-Type", "application/json")],
            framing: .contentLength(2),
            connection: .keepAlive,
            expected:
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: rid-1\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n"
        ),
        Case(
            name: "HTTP/1.0 stream, close-delimited",
            status: 200,
            headers: [HTTPHeader("Content-Type", "text/event-stream")],
            framing: .closeDelimited,
            connection: .close,
            expected:
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Request-Id: rid-1\r\nConnection: close\r\n\r\n"
        ),
        Case(
            name: "refusal, closing",
            status: 408,
            headers: [HTTPHeader("Content-Type", "application/json")],
            framing: .contentLength(0),
            connection: .close,
            expected:
                "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nX-Request-Id: rid-1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Case(
            name: "a large length, keep-alive, repeated fields kept in order",
            status: 503,
            headers: [
                HTTPHeader("Retry-After", "1"), HTTPHeader("Set-Cookie", "a=1"), HTTPHeader("Set-Cookie", "b=2"),
            ],
            framing: .contentLength(2_147_483_647),
            connection: .keepAlive,
            expected:
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Request-Id: rid-1\r\nContent-Length: 2147483647\r\nConnection: keep-alive\r\n\r\n"
        ),
        Case(
            name: "a status without a known reason",
            status: 299,
            headers: [],
            framing: .contentLength(4096),
            connection: .none,
            expected: "HTTP/1.1 299 Status 299\r\nX-Request-Id: rid-1\r\nContent-Length: 4096\r\n\r\n"
        ),
    ]

    @Test(arguments: cases)
    func exactBytes(row: Case) {
        let text = Self.written(
            status: row.status,
            headers: row.headers,
            framing: row.framing,
            connection: row.connection
        )
        #expect(text == row.expected)
    }

    static let framings: [AnswerHead.Framing] = [.contentLength(5), .chunked, .closeDelimited, .bodiless]
    static let connections: [AnswerHead.ConnectionField] = [.none, .keepAlive, .close]

    /// The caller's framing, connection and request-id fields, in any spelling, are never written:
    /// the head is the one written without them.
    @Test(arguments: framings, connections)
    func callerFramingAndConnectionFieldsAreNeverWritten(
        framing: AnswerHead.Framing,
        connection: AnswerHead.ConnectionField
    ) {
        let own = [
            HTTPHeader("Content-Length", "999"), HTTPHeader("content-length", "998"),
            HTTPHeader("Transfer-Encoding", "gzip, chunked"), HTTPHeader("TRANSFER-ENCODING", "identity"),
            HTTPHeader("Connection", "upgrade"), HTTPHeader("connection", "keep-alive, evil"),
            HTTPHeader("X-Request-Id", "backend-id"), HTTPHeader("x-request-id", "other-id"),
        ]
        let kept = [HTTPHeader("Content-Type", "text/plain"), HTTPHeader("X-Content-Length", "7")]
        let mixed = [own[0], kept[0], own[1], own[2], own[3], own[4], kept[1], own[5], own[6], own[7]]
        let withOwn = Self.written(status: 200, headers: mixed, framing: framing, connection: connection)
        let without = Self.written(status: 200, headers: kept, framing: framing, connection: connection)
        #expect(withOwn == without)
        for value in ["999", "998", "gzip", "identity", "upgrade", "evil", "backend-id", "other-id"] {
            #expect(!withOwn.contains(value), "\(value) leaked")
        }
        #expect(withOwn.components(separatedBy: "X-Request-Id: ").count == 2)
        #expect(
            withOwn.hasPrefix(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Content-Length: 7\r\nX-Request-Id: rid-1\r\n"
            )
        )
    }

    @Test(
        arguments: [
            ("Content-Length", true), ("content-length", true), ("CONTENT-LENGTH", true),
            ("Transfer-Encoding", true), ("transfer-encoding", true), ("Connection", true), ("CONNECTION", true),
            ("X-Request-Id", true), ("x-request-id", true), ("Content-Type", false), ("Content-Lengths", false),
            ("Content-Lengt", false), ("X-Content-Length", false), ("X-Request-Ids", false), ("Request-Id", false),
            ("", false),
        ] as [(String, Bool)]
    )
    func ownFields(name: String, own: Bool) {
        #expect(AnswerHead.isOwnField(name) == own)
    }

    /// The `contentLength:` form is the `.contentLength` framing.
    @Test(arguments: [0, 9, 10, 4096, Int(Int32.max)], [AnswerHead.ConnectionField.none, .keepAlive, .close])
    func contentLengthShorthandIsTheFraming(length: Int, connection: AnswerHead.ConnectionField) {
        let shorthand = ByteBuffer()
        AnswerHead.write(
            status: 413,
            headers: [HTTPHeader("Content-Type", "application/json")],
            requestID: "r",
            contentLength: length,
            connection: connection,
            into: shorthand
        )
        let framed = Self.written(
            status: 413,
            headers: [HTTPHeader("Content-Type", "application/json")],
            requestID: "r",
            framing: .contentLength(length),
            connection: connection
        )
        #expect(shorthand.withUnreadBytes { String(decoding: $0, as: UTF8.self) } == framed)
        #expect(framed.contains("\r\nContent-Length: \(length)\r\n"))
    }

    /// A head is appended after what the buffer already holds (an earlier pipelined answer).
    @Test func appendsAfterTheBuffersContent() {
        let buffer = ByteBuffer()
        buffer.append("0\r\n\r\n")
        AnswerHead.write(
            status: 204,
            headers: [],
            requestID: "r2",
            framing: .bodiless,
            connection: .close,
            into: buffer
        )
        let text = buffer.withUnreadBytes { String(decoding: $0, as: UTF8.self) }
        #expect(text == "0\r\n\r\nHTTP/1.1 204 No Content\r\nX-Request-Id: r2\r\nConnection: close\r\n\r\n")
    }
}
