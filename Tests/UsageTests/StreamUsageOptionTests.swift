import Testing
import Usage

@Suite("StreamUsageOption")
struct StreamUsageOptionTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var body: String
        /// nil: no rewrite.
        var expected: String?
        var testDescription: String { label }

        init(_ label: String, _ body: String, _ expected: String?) {
            self.label = label
            self.body = body
            self.expected = expected
        }
    }

    static let rows: [Row] = [
        // Streamed and lacking it: inserted after the last member, nothing else moves.
        Row(
            "stream true",
            #"{"model":"m","stream":true}"#,
            #"{"model":"m","stream":true,"stream_options":{"include_usage":true}}"#
        ),
        Row(
            "stream first",
            #"{"stream":true,"model":"m","messages":[]}"#,
            #"{"stream":true,"model":"m","messages":[],"stream_options":{"include_usage":true}}"#
        ),
        Row(
            "whitespace kept",
            "{\n  \"model\": \"m\",\n  \"stream\" : true\n}\n",
            "{\n  \"model\": \"m\",\n  \"stream\" : true,\"stream_options\":{\"include_usage\":true}\n}\n"
        ),
        Row(
            "tabs and CRLF",
            "\t{\"stream\":\ttrue\r\n}\r\n",
            "\t{\"stream\":\ttrue,\"stream_options\":{\"include_usage\":true}\r\n}\r\n"
        ),
        Row("escaped name", #"{"str\u0065am":true}"#, #"{"str\u0065am":true,"stream_options":{"include_usage":true}}"#),
        Row(
            "numbers and escapes untouched",
            #"{"temperature":0.70,"stop":["\n","\u00e9"],"stream":true,"n":1E0}"#,
            #"{"temperature":0.70,"stop":["\n","\u00e9"],"stream":true,"n":1E0,"stream_options":{"include_usage":true}}"#
        ),
        Row(
            "nested stream_options do not count",
            #"{"meta":{"stream_options":{"include_usage":true}},"stream":true}"#,
            #"{"meta":{"stream_options":{"include_usage":true}},"stream":true,"stream_options":{"include_usage":true}}"#
        ),
        Row(
            "repeated stream: the last is true",
            #"{"stream":false,"stream":true}"#,
            #"{"stream":false,"stream":true,"stream_options":{"include_usage":true}}"#
        ),

        // stream_options present.
        Row(
            "empty stream_options",
            #"{"stream":true,"stream_options":{}}"#,
            #"{"stream":true,"stream_options":{"include_usage":true}}"#
        ),
        Row(
            "empty stream_options with space",
            #"{"stream":true,"stream_options":{ }}"#,
            #"{"stream":true,"stream_options":{"include_usage":true }}"#
        ),
        Row(
            "stream_options without include_usage",
            #"{"stream_options":{"continuous_usage_stats":true},"stream":true}"#,
            #"{"stream_options":{"include_usage":true,"continuous_usage_stats":true},"stream":true}"#
        ),
        Row(
            "stream_options null",
            #"{"stream":true,"stream_options":null}"#,
            #"{"stream":true,"stream_options":{"include_usage":true}}"#
        ),
        Row(
            "include_usage false is overridden",
            #"{"stream":true,"stream_options":{"include_usage":false}}"#,
            #"{"stream":true,"stream_options":{"include_usage":true}}"#
        ),
        Row(
            "include_usage null",
            #"{"stream":true,"stream_options":{ "include_usage" : null , "x":1}}"#,
            #"{"stream":true,"stream_options":{ "include_usage" : true , "x":1}}"#
        ),
        Row(
            "include_usage as a string",
            #"{"stream":true,"stream_options":{"include_usage":"true"}}"#,
            #"{"stream":true,"stream_options":{"include_usage":true}}"#
        ),
        Row(
            "repeated include_usage: the last is false",
            #"{"stream":true,"stream_options":{"include_usage":true,"include_usage":false}}"#,
            #"{"stream":true,"stream_options":{"include_usage":true,"include_usage":true}}"#
        ),
        Row(
            "repeated stream_options: the last counts",
            #"{"stream_options":{"include_usage":true},"stream":true,"stream_options":{}}"#,
            #"{"stream_options":{"include_usage":true},"stream":true,"stream_options":{"include_usage":true}}"#
        ),

        // No change needed.
        Row("already included", #"{"model":"m","stream":true,"stream_options":{"include_usage":true}}"#, nil),
        Row(
            "already included, spaced and escaped",
            "{ \"stream\" : true , \"stream_options\" : { \"x\" : [1] , \"include\\u005fusage\" : true } }",
            nil
        ),
        Row(
            "repeated include_usage: the last is true",
            #"{"stream":true,"stream_options":{"include_usage":false,"include_usage":true}}"#,
            nil
        ),
        Row("no stream", #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, nil),
        Row("stream false", #"{"model":"m","stream":false}"#, nil),
        Row("stream as a string", #"{"stream":"true"}"#, nil),
        Row("stream as a number", #"{"stream":1}"#, nil),
        Row("stream null", #"{"stream":null}"#, nil),
        Row("repeated stream: the last is false", #"{"stream":true,"stream":false}"#, nil),
        Row("stream only nested", #"{"options":{"stream":true}}"#, nil),
        Row("empty object", "{}", nil),
        Row("stream_options a string", #"{"stream":true,"stream_options":"include_usage"}"#, nil),
        Row("stream_options an array", #"{"stream":true,"stream_options":[{"include_usage":true}]}"#, nil),

        // Not one JSON object.
        Row("an array", #"[{"stream":true}]"#, nil),
        Row("a string", #""stream""#, nil),
        Row("empty body", "", nil),
        Row("not JSON", "stream=true", nil),
        Row("cut short", #"{"stream":true"#, nil),
        Row("trailing comma", #"{"stream":true,}"#, nil),
        Row("two texts", #"{"stream":true}{}"#, nil),
        Row("trailing garbage", #"{"stream":true} x"#, nil),
        Row("bad literal", #"{"stream":tru}"#, nil),
        Row("literal run on", #"{"stream":truex}"#, nil),
        Row("bad escape", #"{"stream":true,"a":"\x"}"#, nil),
        Row("raw control in a string", "{\"stream\":true,\"a\":\"\u{1}\"}", nil),
        Row("bad number", #"{"stream":true,"a":01}"#, nil),
        Row("unclosed nested", #"{"stream":true,"a":[{"b":1]}"#, nil),
        Row("malformed stream_options", #"{"stream":true,"stream_options":{"include_usage"}}"#, nil),
    ]

    @Test(arguments: rows)
    func rewrite(_ row: Row) {
        let rewritten = StreamUsageOption.rewrite(Array(row.body.utf8))
        #expect(rewritten.map { String(decoding: $0, as: UTF8.self) } == row.expected)
        // Applying it again changes nothing: the result asks for usage.
        if let rewritten {
            #expect(StreamUsageOption.rewrite(rewritten) == nil)
        }
    }

    @Test func deepNestingIsLeftAlone() {
        let deep =
            "{\"stream\":true,\"a\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect(StreamUsageOption.rewrite(Array(deep.utf8)) == nil)
        let fine =
            "{\"stream\":true,\"a\":" + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "}"
        #expect(StreamUsageOption.rewrite(Array(fine.utf8)) != nil)
    }

    @Test func rawBufferEntryPoint() {
        // A `stream` inside a string is text, not a member.
        let body = Array(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"\"stream\":false"}]}"#.utf8)
        let rewritten = body.withUnsafeBytes { StreamUsageOption.rewrite($0) }
        #expect(
            rewritten.map { String(decoding: $0, as: UTF8.self) }
                == #"{"model":"m","stream":true,"messages":[{"role":"user","content":"\"stream\":false"}],"stream_options":{"include_usage":true}}"#
        )
    }
}
