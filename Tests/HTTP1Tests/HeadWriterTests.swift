import Testing

@testable import HTTP1

@Suite("HeadWriter")
struct HeadWriterTests {
    @Test func requestRoundTrip() throws {
        let original = try #require(
            parseRequest(bytes(request(["X-Trace: a b", "Content-Length: 2"], line: "POST /v1/x?y=1 HTTP/1.1"))).head
        )
        var writer = HeadWriter(capacity: 256)
        writer.requestLine(method: original.method, target: original.bytes[original.target])
        for field in original.fields {
            writer.field(name: original.bytes[field.name], value: original.bytes[field.value])
        }
        writer.field("x-forwarded-for", "10.0.0.1")
        writer.end()
        let copy = try #require(parseRequest(writer.bytes).head)
        #expect(copy.method == .post)
        #expect(copy.path == "/v1/x")
        #expect(copy.query == "y=1")
        #expect(copy.value("x-trace") == "a b")
        #expect(copy.value("x-forwarded-for") == "10.0.0.1")
        #expect(copy.framing == .length(2))
    }

    @Test func requestLineVariants() {
        var writer = HeadWriter(capacity: 64)
        bytes("/a").withUnsafeBytes { writer.requestLine(method: .get, target: $0) }
        writer.requestLine(method: .options, target: "*", version: .http10)
        writer.requestLine(method: .delete, target: "/a b\r\n")
        #expect(writer.bytes == bytes("GET /a HTTP/1.1\r\nOPTIONS * HTTP/1.0\r\nDELETE /a_b__ HTTP/1.1\r\n"))
    }

    @Test func responseHead() throws {
        var writer = HeadWriter(capacity: 128)
        writer.statusLine(200, reason: "OK")
        writer.field("content-length", decimal: 1234)
        writer.field("x-zero", decimal: 0)
        writer.field("x-negative", decimal: -42)
        writer.field("x-max", decimal: Int.max)
        writer.field("content-type", constant: "application/json")
        bytes("x-raw").withUnsafeBytes { name in
            bytes("v").withUnsafeBytes { value in writer.field(name: name, value: value) }
        }
        writer.end()
        let expected =
            "HTTP/1.1 200 OK\r\ncontent-length: 1234\r\nx-zero: 0\r\nx-negative: -42\r\n"
            + "x-max: 9223372036854775807\r\ncontent-type: application/json\r\nx-raw: v\r\n\r\n"
        #expect(writer.bytes == bytes(expected))
        let parsed = try #require(parseResponse(writer.bytes).head)
        #expect(parsed.framing == .length(1234))
    }

    @Test func sanitizesStrings() {
        var writer = HeadWriter(capacity: 64)
        writer.statusLine(502, reason: "Bad\r\nGateway", version: .http10)
        writer.field("x-evil", "a\r\nSet-Cookie: b\u{0}\tc")
        #expect(writer.bytes == bytes("HTTP/1.0 502 Bad  Gateway\r\nx-evil: a  Set-Cookie: b \tc\r\n"))
        var decimal = HeadWriter(capacity: 8)
        decimal.appendDecimal(Int.min)
        #expect(decimal.bytes == bytes("-9223372036854775808"))
    }

    @Test func methodNames() {
        let all: [(HTTPMethod, String)] = [
            (.get, "GET"), (.head, "HEAD"), (.post, "POST"), (.put, "PUT"), (.delete, "DELETE"),
            (.options, "OPTIONS"), (.patch, "PATCH"),
        ]
        for (method, name) in all {
            #expect(method.name == name)
            #expect(parseRequest(bytes(request([], line: "\(name) / HTTP/1.1"))).head?.method == method)
        }
    }
}
