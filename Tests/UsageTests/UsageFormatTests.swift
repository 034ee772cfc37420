import Testing
import Usage

@Suite("UsageFormat")
struct UsageFormatTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var contentType: String?
        var contentEncoding: String?
        var expected: UsageFormat?
        var testDescription: String { "\(contentType ?? "nil") / \(contentEncoding ?? "nil")" }

        init(_ contentType: String?, _ expected: UsageFormat?) {
            self.init(contentType, encoding: nil, expected)
        }

        init(_ contentType: String?, encoding contentEncoding: String?, _ expected: UsageFormat?) {
            self.contentType = contentType
            self.contentEncoding = contentEncoding
            self.expected = expected
        }
    }

    static let rows: [Row] = [
        Row("application/json", .json),
        Row("application/json; charset=utf-8", .json),
        Row("Application/JSON;charset=UTF-8", .json),
        Row("  application/json  ", .json),
        Row("application/json ; charset=utf-8", .json),
        Row("application/problem+json", .json),
        Row("application/vnd.api+json; charset=utf-8", .json),
        Row("text/event-stream", .eventStream),
        Row("text/event-stream; charset=utf-8", .eventStream),
        Row("TEXT/Event-Stream", .eventStream),
        Row("application/json", encoding: "identity", .json),
        Row("text/event-stream", encoding: "Identity", .eventStream),
        Row("application/json", encoding: "", .json),
        Row("application/json", encoding: "identity, identity", .json),
        Row("application/json", encoding: "gzip", nil),
        Row("text/event-stream", encoding: "br", nil),
        Row("application/json", encoding: "identity, gzip", nil),
        Row("application/json", encoding: "deflate,", nil),
        Row(nil, nil),
        Row("", nil),
        Row("text/plain", nil),
        Row("text/html; charset=utf-8", nil),
        Row("application/x-ndjson", nil),
        Row("application/jsonl", nil),
        Row("application/+json", nil),
        Row("text/json", nil),
        Row("application/octet-stream", nil),
        Row("text/event-streams", nil),
        Row("multipart/form-data; boundary=x", nil),
    ]

    @Test(arguments: rows)
    func format(_ row: Row) {
        #expect(UsageFormat(contentType: row.contentType, contentEncoding: row.contentEncoding) == row.expected)
        #expect(
            UsageScanner(contentType: row.contentType, contentEncoding: row.contentEncoding).isScanning
                == (row.expected != nil)
        )
    }

    @Test(arguments: rows)
    func fromBytes(_ row: Row) {
        guard let contentType = row.contentType else { return }
        let type = Array(contentType.utf8)
        if let encoding = row.contentEncoding {
            #expect(UsageFormat(contentType: type, contentEncoding: Array(encoding.utf8)) == row.expected)
        } else {
            #expect(UsageFormat(contentType: type[...]) == row.expected)
        }
    }
}

extension UsageFormatTests {
    /// The head's bytes in place (`UsageMeter`): the same answer as from Strings, an absent
    /// `Content-Encoding` as nil.
    @Test(arguments: rows)
    func fromBuffers(_ row: Row) {
        guard let contentType = row.contentType else { return }
        let type = Array(contentType.utf8)
        let format = type.withUnsafeBufferPointer { type in
            guard let encoding = row.contentEncoding else {
                return UsageFormat(contentType: type, contentEncoding: nil)
            }
            return Array(encoding.utf8).withUnsafeBufferPointer {
                UsageFormat(contentType: type, contentEncoding: $0)
            }
        }
        #expect(format == row.expected)
    }
}
