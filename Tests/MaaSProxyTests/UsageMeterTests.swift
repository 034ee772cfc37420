import AccessCheck
import HTTP1
import Testing

@testable import MaaSProxy

/// `UsageMeter` finds the answer's format in its head's bytes in place (SPEC 7): field names in any
/// case, the first `Content-Type`, a `Content-Encoding` other than identity reading nothing; a
/// stream's timing only for streams.
@Suite("UsageMeter")
struct UsageMeterTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var fields: [String]
        /// What the meter reads from a body reporting 5 input tokens: nil when it reads nothing.
        var input: Int?
        var isStream = false
        var testDescription: String { fields.joined(separator: " | ") }
    }

    static let rows: [Row] = [
        Row(fields: ["Content-Type: application/json"], input: 5),
        Row(fields: ["content-type: application/json; charset=utf-8"], input: 5),
        Row(fields: ["CONTENT-TYPE: Application/JSON"], input: 5),
        Row(fields: ["Server: nginx", "Content-Length: 60", "cOnTeNt-TyPe: application/json"], input: 5),
        Row(fields: ["Content-Type: text/event-stream"], input: 5, isStream: true),
        Row(fields: ["Content-Type: application/json", "Content-Encoding: identity"], input: 5),
        Row(fields: ["CONTENT-ENCODING: Identity", "Content-Type: application/json"], input: 5),
        Row(fields: ["Content-Type: application/json", "Content-Encoding: gzip"], input: nil),
        Row(fields: ["content-encoding: br", "Content-Type: text/event-stream"], input: nil),
        // The first Content-Type counts, and the first Content-Encoding.
        Row(fields: ["Content-Type: application/json", "Content-Type: text/plain"], input: 5),
        Row(fields: ["Content-Type: text/plain", "Content-Type: application/json"], input: nil),
        Row(
            fields: ["Content-Type: application/json", "Content-Encoding: identity", "Content-Encoding: gzip"],
            input: 5
        ),
        // Names of the same lengths that are not the two.
        Row(fields: ["Content-Typo: application/json"], input: nil),
        Row(fields: ["Xontent-Type: application/json"], input: nil),
        Row(fields: ["Content_Type: application/json"], input: nil),
        Row(fields: ["Content-Type: application/json", "Content-Encodinx: gzip"], input: 5),
        Row(fields: ["Content-Type: application/json", "Xontent-Encoding: gzip"], input: 5),
        Row(fields: ["Content-Types: application/json"], input: nil),
        Row(fields: ["X-Content-Type: application/json"], input: nil),
        Row(fields: [], input: nil),
        Row(fields: ["Content-Type: text/plain"], input: nil),
    ]

    static func head(_ fields: [String]) throws -> ResponseHead {
        let text = (["HTTP/1.1 200 OK"] + fields + ["", ""]).joined(separator: "\r\n")
        var parser = ResponseHeadParser(maxHeadBytes: 8192)
        let parse = Array(text.utf8).withUnsafeBytes { parser.parse($0, requestWasHEAD: false) }
        guard case .head(let head, _) = parse else { throw HeadError() }
        return head
    }

    struct HeadError: Error {}

    @Test(arguments: rows)
    func format(_ row: Row) throws {
        let head = try Self.head(row.fields)
        let start = MonotonicInstant(nanoseconds: 1_000_000)
        var meter = UsageMeter(head: head, requestEndedAt: start)
        #expect(meter.isStream == row.isStream)
        let json = #"{"usage":{"prompt_tokens":5,"completion_tokens":3}}"#
        let body = Array((row.isStream ? "data: \(json)\n\n" : json).utf8)
        var clockReads = 0
        body.withUnsafeBytes { bytes in
            meter.relayed(
                bytes,
                at: {
                    clockReads += 1
                    return start + .milliseconds(20)
                }()
            )
        }
        meter.ended(
            at: {
                clockReads += 1
                return start + .milliseconds(50)
            }()
        )
        let report = meter.report
        #expect(report.usage.input == row.input)
        #expect(report.usage.output == (row.input == nil ? nil : 3))
        // Only a stream's timing is reported, so only a stream reads the clock.
        #expect(clockReads == (row.isStream ? 2 : 0))
        #expect(report.timeToFirstToken == (row.isStream ? .milliseconds(20) : nil))
        #expect(report.timePerOutputToken == (row.isStream && row.input != nil ? .milliseconds(15) : nil))
    }
}
