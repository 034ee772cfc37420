import Testing
import Usage

/// Scans `body` in `format` fed in pieces of the given sizes (the rest in a last piece).
func scan(_ body: [UInt8], _ format: UsageFormat?, pieces: [Int] = []) -> UsageScanner {
    var scanner = UsageScanner(format: format)
    var offset = 0
    for size in pieces {
        let end = min(offset + size, body.count)
        body[offset..<end].withUnsafeBytes { scanner.feed($0) }
        offset = end
    }
    body[offset...].withUnsafeBytes { scanner.feed($0) }
    return scanner
}

func scan(_ text: String, _ format: UsageFormat?) -> TokenUsage {
    scan(Array(text.utf8), format).usage
}

@Suite("UsageScanner: recorded answers")
struct UsageScannerRecordedTests {
    typealias Answer = RecordedAnswers.Answer

    @Test(arguments: RecordedAnswers.all)
    func wholeAnswer(_ answer: Answer) {
        let scanner = scan(answer.body, answer.format)
        #expect(scanner.usage == answer.expected)
        #expect(scanner.sawUsage)
        #expect(scanner.isScanning)
    }

    @Test(arguments: RecordedAnswers.all)
    func splitInTwoAtEveryOffset(_ answer: Answer) {
        for offset in 0...answer.body.count {
            let usage = scan(answer.body, answer.format, pieces: [offset]).usage
            #expect(usage == answer.expected, "split at \(offset)")
            if usage != answer.expected { return }
        }
    }

    @Test(arguments: RecordedAnswers.all)
    func splitInThreeAroundEveryOffset(_ answer: Answer) {
        // A piece of 1 or 2 bytes between two others, at every offset: escapes, CRLFs and names cut twice.
        for width in 1...2 {
            for offset in 0..<answer.body.count {
                let usage = scan(answer.body, answer.format, pieces: [offset, width]).usage
                #expect(usage == answer.expected, "pieces \(offset), \(width)")
                if usage != answer.expected { return }
            }
        }
    }

    @Test(arguments: RecordedAnswers.all)
    func oneByteFeeds(_ answer: Answer) {
        let scanner = scan(answer.body, answer.format, pieces: Array(repeating: 1, count: answer.body.count))
        #expect(scanner.usage == answer.expected)
    }

    @Test(arguments: RecordedAnswers.streams)
    func crlfAndCRLineEnds(_ answer: Answer) {
        let text = String(decoding: answer.body, as: UTF8.self)
        for lineEnd in ["\r\n", "\r"] {
            let body = Array(
                text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: lineEnd).utf8
            )
            #expect(scan(body, .eventStream).usage == answer.expected, "line end \(Array(lineEnd.utf8))")
            for offset in 0...body.count {
                let usage = scan(body, .eventStream, pieces: [offset]).usage
                #expect(usage == answer.expected, "line end \(Array(lineEnd.utf8)), split at \(offset)")
                if usage != answer.expected { return }
            }
        }
    }

    @Test(arguments: RecordedAnswers.streams)
    func usageSoFarInAStreamCutShort(_ answer: Answer) {
        // Every prefix gives what the events complete in it reported: never more than the whole, and
        // each field, once reported, stays reported.
        var previous = TokenUsage()
        for end in 0...answer.body.count {
            let usage = scan(Array(answer.body[..<end]), .eventStream).usage
            if previous.input != nil { #expect(usage.input != nil) }
            if previous.output != nil { #expect(usage.output != nil) }
            if previous.cachedInput != nil { #expect(usage.cachedInput != nil) }
            previous = usage
        }
        #expect(previous == answer.expected)
    }

    @Test func vllmContinuousStatsGrowEventByEvent() {
        let body = RecordedAnswers.vllmContinuousStream.body
        var scanner = UsageScanner(format: .eventStream)
        var outputs: [Int?] = []
        var event: [UInt8] = []
        for (index, byte) in body.enumerated() {
            event.append(byte)
            if byte == 0x0A, index > 0, body[index - 1] == 0x0A {
                scanner.feed(event)
                event = []
                outputs.append(scanner.usage.output)
            }
        }
        #expect(outputs == [0, 1, 2, 3, 3])
    }

    @Test func anthropicMessageStartThenMessageDelta() {
        let body = RecordedAnswers.anthropicStream.body
        let text = String(decoding: body, as: UTF8.self)
        let cut = Array(text.utf8).count - text.split(separator: "event: message_delta").last!.utf8.count
        var scanner = UsageScanner(format: .eventStream)
        scanner.feed(Array(body[..<cut]))
        // After message_start alone: its output_tokens (2) until message_delta's cumulative count.
        #expect(scanner.usage == TokenUsage(input: 472, output: 2, cachedInput: 2048))
        scanner.feed(Array(body[cut...]))
        #expect(scanner.usage == TokenUsage(input: 472, output: 15, cachedInput: 2048))
    }
}

@Suite("UsageScanner: what counts")
struct UsageScannerRuleTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var format: UsageFormat
        var body: [UInt8]
        var expected: TokenUsage
        var testDescription: String { label }

        init(_ label: String, _ format: UsageFormat, _ body: String, _ expected: TokenUsage) {
            self.init(label, format, raw: Array(body.utf8), expected)
        }

        init(_ label: String, _ format: UsageFormat, raw body: [UInt8], _ expected: TokenUsage) {
            self.label = label
            self.format = format
            self.body = body
            self.expected = expected
        }
    }

    static let none = TokenUsage()

    static let json: [Row] = [
        Row(
            "all seven fields",
            .json,
            #"{"usage":{"prompt_tokens":1,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":3}}}"#,
            TokenUsage(input: 1, output: 2, cachedInput: 3)
        ),
        Row(
            "Responses names",
            .json,
            #"{"usage":{"input_tokens":4,"output_tokens":5,"input_tokens_details":{"cached_tokens":6}}}"#,
            TokenUsage(input: 4, output: 5, cachedInput: 6)
        ),
        Row(
            "Anthropic cache read",
            .json,
            #"{"usage":{"input_tokens":7,"cache_read_input_tokens":8}}"#,
            TokenUsage(input: 7, cachedInput: 8)
        ),
        Row("cache creation counts as nothing", .json, #"{"usage":{"cache_creation_input_tokens":9}}"#, none),
        Row("total_tokens alone counts as nothing", .json, #"{"usage":{"total_tokens":9}}"#, none),
        Row("zero is reported, not invented", .json, #"{"usage":{"completion_tokens":0}}"#, TokenUsage(output: 0)),
        Row(
            "usage before the rest",
            .json,
            #"{"usage":{"prompt_tokens":1},"choices":[{"text":"x"}],"id":"a"}"#,
            TokenUsage(input: 1)
        ),
        Row(
            "whitespace everywhere",
            .json,
            " \r\n\t{ \"usage\" :\t{ \"prompt_tokens\" : 12 , \"completion_tokens\"\n:\n3 } }\r\n",
            TokenUsage(input: 12, output: 3)
        ),
        Row(
            "repeated member: the last wins",
            .json,
            #"{"usage":{"prompt_tokens":1,"prompt_tokens":2}}"#,
            TokenUsage(input: 2)
        ),
        Row(
            "repeated usage: fields merge",
            .json,
            #"{"usage":{"prompt_tokens":1},"usage":{"completion_tokens":2}}"#,
            TokenUsage(input: 1, output: 2)
        ),
        Row(
            "escaped member names are decoded",
            .json,
            #"{"us\u0061ge":{"prompt\u005ftokens":5}}"#,
            TokenUsage(input: 5)
        ),
        Row("escaped non-ASCII name matches nothing", .json, #"{"usage":{"prompt_tokens\u00e9":5}}"#, none),
        Row(
            "name with a short escape matches nothing",
            .json,
            #"{"usage":{"prompt_tokens\n":5,"\"prompt_tokens":6}}"#,
            none
        ),
        Row(
            "long names are skipped",
            .json,
            #"{"usage_with_a_very_long_name_beyond_the_buffer":{"prompt_tokens":1},"usage":{"prompt_tokens":2}}"#,
            TokenUsage(input: 2)
        ),
        Row(
            "large count",
            .json,
            #"{"usage":{"prompt_tokens":123456789012345678}}"#,
            TokenUsage(input: 123_456_789_012_345_678)
        ),

        // Values that are not counts.
        Row("usage null", .json, #"{"usage":null}"#, none),
        Row(
            "details null",
            .json,
            #"{"usage":{"prompt_tokens":3,"prompt_tokens_details":null}}"#,
            TokenUsage(input: 3)
        ),
        Row("count null", .json, #"{"usage":{"prompt_tokens":null}}"#, none),
        Row("count as a string", .json, #"{"usage":{"prompt_tokens":"12"}}"#, none),
        Row("count negative", .json, #"{"usage":{"prompt_tokens":-1}}"#, none),
        Row(
            "count with a fraction",
            .json,
            #"{"usage":{"prompt_tokens":5.0,"completion_tokens":2}}"#,
            TokenUsage(output: 2)
        ),
        Row("count with an exponent", .json, #"{"usage":{"prompt_tokens":1e3,"completion_tokens":2E0}}"#, none),
        Row("count too long", .json, #"{"usage":{"prompt_tokens":1234567890123456789}}"#, none),
        Row("count as an object", .json, #"{"usage":{"prompt_tokens":{"value":3},"completion_tokens":[4]}}"#, none),
        Row("usage as an array", .json, #"{"usage":[{"prompt_tokens":3}]}"#, none),
        Row("usage as a string", .json, #"{"usage":"prompt_tokens: 3"}"#, none),

        // Only the path counts, not the word.
        Row("usage inside a string", .json, #"{"content":"{\"usage\":{\"prompt_tokens\":9}}"}"#, none),
        Row("usage as a string value", .json, #"{"a":"usage","b":{"prompt_tokens":1}}"#, none),
        Row(
            "usage one level down",
            .json,
            #"{"choices":[{"usage":{"prompt_tokens":9}}],"data":{"usage":{"prompt_tokens":8}}}"#,
            none
        ),
        Row("counts outside usage", .json, #"{"prompt_tokens":9,"completion_tokens":8}"#, none),
        Row(
            "counts one level down in usage",
            .json,
            #"{"usage":{"x":{"prompt_tokens":9},"completion_tokens_details":{"cached_tokens":7}}}"#,
            none
        ),
        Row("cached_tokens directly in usage", .json, #"{"usage":{"cached_tokens":7}}"#, none),
        Row("response.usage in a JSON answer", .json, #"{"response":{"usage":{"input_tokens":9}}}"#, none),
        Row("message.usage in a JSON answer", .json, #"{"message":{"usage":{"input_tokens":9}}}"#, none),
        Row(
            "names that only look alike",
            .json,
            #"{"Usage":{"prompt_tokens":1},"usage ":{"prompt_tokens":2},"usages":{"prompt_tokens":3}}"#,
            none
        ),
        Row("a top-level array", .json, #"[{"usage":{"prompt_tokens":1}}]"#, none),
        Row(
            "skipped containers with brackets in strings",
            .json,
            #"{"a":["]}","{[",{"b":"}}]]"}],"usage":{"prompt_tokens":4}}"#,
            TokenUsage(input: 4)
        ),
        Row(
            "skipped strings with escapes",
            .json,
            #"{"a":"\\","b":"\"}","c":["\\\"]"],"usage":{"prompt_tokens":4}}"#,
            TokenUsage(input: 4)
        ),
        Row(
            "raw UTF-8 everywhere",
            .json,
            #"{"é":"日本語 😀","usage":{"prompt_tokens":4},"ü":["ß"]}"#,
            TokenUsage(input: 4)
        ),

        // Malformed or cut short: nothing counts.
        Row("cut short", .json, #"{"usage":{"prompt_tokens":1}"#, none),
        Row("cut in the number", .json, #"{"usage":{"prompt_tokens":1"#, none),
        Row("trailing comma", .json, #"{"usage":{"prompt_tokens":1,}}"#, none),
        Row("missing colon", .json, #"{"usage"{"prompt_tokens":1}}"#, none),
        Row("missing comma", .json, #"{"usage":{"prompt_tokens":1 "completion_tokens":2}}"#, none),
        Row("unquoted name", .json, #"{usage:{"prompt_tokens":1}}"#, none),
        Row("bad literal", .json, #"{"id":nul,"usage":{"prompt_tokens":1}}"#, none),
        Row("leading zero", .json, #"{"usage":{"prompt_tokens":01}}"#, none),
        Row("lone minus", .json, #"{"usage":{"prompt_tokens":-}}"#, none),
        Row("bare word", .json, #"{"id":abc,"usage":{"prompt_tokens":1}}"#, none),
        Row("raw control character in a string", .json, "{\"id\":\"a\u{1}b\",\"usage\":{\"prompt_tokens\":1}}", none),
        Row("raw newline in a name", .json, "{\"usage\":{\"prompt\n_tokens\":1}}", none),
        Row("wrong closing bracket", .json, #"{"usage":{"prompt_tokens":1]}"#, none),
        Row("garbage", .json, "\u{0}\u{1}garbage\u{FF}}}}]]", none),
        Row("empty", .json, "", none),
        Row("HTML error page", .json, "<html><body>502 Bad Gateway</body></html>", none),
        // A second text after a complete first one does not undo it; it counts nothing itself.
        Row(
            "text then garbage",
            .json,
            #"{"usage":{"prompt_tokens":1}} x {"usage":{"prompt_tokens":2}}"#,
            TokenUsage(input: 1)
        ),
        Row("two texts", .json, #"{"usage":{"prompt_tokens":1}}{"usage":{"prompt_tokens":2}}"#, TokenUsage(input: 1)),
    ]

    static let events: [Row] = [
        Row(
            "usage chunk",
            .eventStream,
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\n",
            TokenUsage(input: 3, output: 4)
        ),
        Row(
            "no space after the colon",
            .eventStream,
            "data:{\"usage\":{\"prompt_tokens\":3}}\n\n",
            TokenUsage(input: 3)
        ),
        Row(
            "two spaces after the colon",
            .eventStream,
            "data:  {\"usage\":{\"prompt_tokens\":3}}\n\n",
            TokenUsage(input: 3)
        ),
        Row(
            "data in three lines",
            .eventStream,
            "data: {\"usage\":\ndata: {\"prompt_tokens\"\ndata: :3}}\n\n",
            TokenUsage(input: 3)
        ),
        Row(
            "a number across two lines",
            .eventStream,
            "data: {\"usage\":{\"prompt_tokens\":1\ndata: 2}}\n\n",
            TokenUsage()
        ),
        Row(
            "a number ending a line",
            .eventStream,
            "data: {\"usage\":{\"prompt_tokens\":12\ndata: }}\n\n",
            TokenUsage(input: 12)
        ),
        Row(
            "a string across two lines",
            .eventStream,
            "data: {\"id\":\"a\ndata: b\",\"usage\":{\"prompt_tokens\":1}}\n\n",
            TokenUsage()
        ),
        Row(
            "a name across two lines",
            .eventStream,
            "data: {\"usage\":{\"prompt_\ndata: tokens\":1}}\n\n",
            TokenUsage()
        ),
        Row(
            "skipped string across two lines",
            .eventStream,
            "data: {\"a\":[\"x\ndata: y\"],\"usage\":{\"prompt_tokens\":1}}\n\n",
            TokenUsage(input: 1)
        ),
        Row(
            "empty data line inside",
            .eventStream,
            "data: {\"usage\":\ndata\ndata: {\"prompt_tokens\":5}}\n\n",
            TokenUsage(input: 5)
        ),
        Row(
            "comments and other fields",
            .eventStream,
            ": keep-alive\nevent: usage\nid: 7\nretry: 100\ndata: {\"usage\":{\"prompt_tokens\":3}}\n\n: done\n\n",
            TokenUsage(input: 3)
        ),
        Row(
            "fields that are not data",
            .eventStream,
            "Data: {\"usage\":{\"prompt_tokens\":1}}\n\ndat: {\"usage\":{\"prompt_tokens\":2}}\n\ndata2: {\"usage\":{\"prompt_tokens\":3}}\n\n data: {\"usage\":{\"prompt_tokens\":4}}\n\n",
            TokenUsage()
        ),
        Row("a comment line with data", .eventStream, ":data: {\"usage\":{\"prompt_tokens\":1}}\n\n", TokenUsage()),
        Row("DONE only", .eventStream, "data: [DONE]\n\n", TokenUsage()),
        Row(
            "usage after DONE still counts",
            .eventStream,
            "data: [DONE]\n\ndata: {\"usage\":{\"prompt_tokens\":3}}\n\n",
            TokenUsage(input: 3)
        ),
        Row(
            "usage null in every chunk",
            .eventStream,
            "data: {\"usage\":null}\n\ndata: {\"choices\":[],\"usage\":null}\n\ndata: [DONE]\n\n",
            TokenUsage()
        ),
        Row(
            "the last value of each field wins",
            .eventStream,
            "data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\ndata: {\"usage\":{\"completion_tokens\":5}}\n\ndata: {\"usage\":null}\n\n",
            TokenUsage(input: 1, output: 5)
        ),
        Row(
            "an event reset: its broken text does not leak",
            .eventStream,
            "data: {\"usage\":{\"prompt_tokens\":7\n\ndata: ,\"completion_tokens\":3}}\n\n",
            TokenUsage()
        ),
        Row(
            "a broken event does not stop the next",
            .eventStream,
            "data: {\"usage\"::}\n\ndata: {\"usage\":{\"prompt_tokens\":3}}\n\n",
            TokenUsage(input: 3)
        ),
        Row(
            "garbage events",
            .eventStream,
            "data: \u{0}\u{FF}{{{\n\ndata: }}}]]]\"\n\ndata: {\"usage\":{\"prompt_tokens\":3}}\n\n",
            TokenUsage(input: 3)
        ),
        Row(
            "an unclosed string in a skipped value ends with its event",
            .eventStream,
            "data: {\"a\":[\"unclosed\n\ndata: {\"usage\":{\"prompt_tokens\":3}}\n\n",
            TokenUsage(input: 3)
        ),
        Row(
            "response.usage",
            .eventStream,
            "data: {\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}}\n\n",
            TokenUsage(input: 3, output: 4)
        ),
        Row(
            "response.incomplete counts too",
            .eventStream,
            "data: {\"type\":\"response.incomplete\",\"response\":{\"status\":\"incomplete\",\"usage\":{\"input_tokens\":3,\"output_tokens\":16}}}\n\n",
            TokenUsage(input: 3, output: 16)
        ),
        Row(
            "message.usage",
            .eventStream,
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n",
            TokenUsage(input: 3, output: 1)
        ),
        Row(
            "response.usage one level down",
            .eventStream,
            "data: {\"item\":{\"response\":{\"usage\":{\"input_tokens\":3}}}}\n\n",
            TokenUsage()
        ),
        Row(
            "usage under response's other members",
            .eventStream,
            "data: {\"response\":{\"output\":[{\"usage\":{\"input_tokens\":3}}],\"metadata\":{\"usage\":{\"input_tokens\":4}}}}\n\n",
            TokenUsage()
        ),
        Row(
            "a BOM at the start",
            .eventStream,
            "\u{FEFF}data: {\"usage\":{\"prompt_tokens\":3}}\n\n",
            TokenUsage(input: 3)
        ),
        Row(
            "half a BOM",
            .eventStream,
            raw: [0xEF, 0xBB]
                + Array(
                    "data: {\"usage\":{\"prompt_tokens\":3}}\n\ndata: {\"usage\":{\"completion_tokens\":4}}\n\n".utf8
                ),
            TokenUsage(output: 4)
        ),
        Row("raw garbage bytes", .json, raw: [0x00, 0xFF, 0xFE, 0x7B, 0x22, 0xC3, 0x28, 0x5C], TokenUsage()),
        Row(
            "mixed line ends",
            .eventStream,
            "data: {\"usage\":{\"prompt_tokens\":3}}\r\n\r\ndata: {\"usage\":{\"completion_tokens\":4}}\r\rdata: {\"usage\":{\"cached_tokens\":1,\"cache_read_input_tokens\":5}}\n\r\n",
            TokenUsage(input: 3, output: 4, cachedInput: 5)
        ),
        Row(
            "the last event without its blank line",
            .eventStream,
            "data: {\"usage\":{\"prompt_tokens\":3}}",
            TokenUsage(input: 3)
        ),
        Row("a JSON body read as events", .eventStream, "{\"usage\":{\"prompt_tokens\":3}}", TokenUsage()),
    ]

    @Test(arguments: json + events)
    func row(_ row: Row) {
        let body = row.body
        let whole = scan(body, row.format)
        #expect(whole.usage == row.expected)
        #expect(whole.sawUsage == !row.expected.isEmpty)
        // And the same in any cut.
        for offset in 0...body.count {
            #expect(scan(body, row.format, pieces: [offset]).usage == row.expected, "split at \(offset)")
        }
        #expect(scan(body, row.format, pieces: Array(repeating: 1, count: body.count)).usage == row.expected)
    }

    @Test func nothingIsScannedWithoutAFormat() {
        let answer = RecordedAnswers.vllmChat
        let scanner = scan(answer.body, nil)
        #expect(!scanner.isScanning)
        #expect(scanner.usage == TokenUsage())
        #expect(!scanner.sawUsage)
    }

    @Test func usageIsReadableBetweenFeeds() {
        var scanner = UsageScanner(format: .eventStream)
        #expect(scanner.usage == TokenUsage())
        scanner.feed(Array("data: {\"usage\":{\"prompt_tokens\":3}".utf8))
        #expect(scanner.usage == TokenUsage())
        scanner.feed(Array("}\n\ndata: {\"usage\":{\"completion_tokens\":4}}\n\n".utf8))
        #expect(scanner.usage == TokenUsage(input: 3, output: 4))
        scanner.feed(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(scanner.usage == TokenUsage(input: 3, output: 4))
    }
}
