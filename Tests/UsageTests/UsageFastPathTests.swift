import Testing
import Usage

/// The shortcuts of the scanner's common cases give what the general reading gives: the two usual
/// media types compared a word at a time, and skipped containers read sixteen bytes at a time.
@Suite("UsageScanner and UsageFormat: fast paths")
struct UsageFastPathTests {
    static let mediaTypes: [(String, UsageFormat?)] = [
        ("application/json", .json),
        ("APPLICATION/JSON\t; charset=utf-8", .json),
        ("application/jsonx", nil),
        ("application/json+json", .json),
        ("application/jso", nil),
        ("text/event-stream", .eventStream),
        ("text/event-streamm", nil),
        ("text/event-stream ", .eventStream),
        ("Text/Event-StreaM;charset=utf-8", .eventStream),
        ("text/event-strea", nil),
        ("text/event-stream+json", nil),
    ]

    @Test(arguments: mediaTypes)
    func mediaType(_ value: String, _ expected: UsageFormat?) {
        #expect(UsageFormat(contentType: value) == expected)
        #expect(UsageFormat(contentType: Array(value.utf8), contentEncoding: Array("identity".utf8)) == expected)
    }

    /// Skipped containers whose brackets, quotes and escapes fall on every position of a 16-byte block:
    /// the usage after them counts only when the container closed where JSON says.
    @Test(arguments: 0..<20)
    func skippedContainerAtEveryAlignment(_ padding: Int) {
        let pad = String(repeating: "p", count: padding)
        let containers = [
            #"[{"a":"]}\"]}[{"},[[["x"]]],"\\",{"b":"}"}]"#,
            #"{"\\\\":"\"","c":[1,2,{"d":"[[[[[[[[[[[[[[[[[["}]}"#,
        ]
        for container in containers {
            let body = #"{"\#(pad)":1,"x":\#(container),"usage":{"prompt_tokens":7}}"#
            #expect(scan(body, .json) == TokenUsage(input: 7), "\(body)")
            #expect(scan("data: " + body + "\n\n", .eventStream) == TokenUsage(input: 7), "\(body)")
            // One bracket fewer: the container never closes, the text never completes.
            let open = #"{"\#(pad)":1,"x":\#(container.dropLast()),"usage":{"prompt_tokens":7}}"#
            #expect(scan(open, .json) == TokenUsage(), "\(open)")
        }
    }
}
