import Routing
import Testing

@Suite("RequestBodyModel")
struct RequestBodyModelTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var body: [UInt8]
        var expected: RequestBodyModel
        var testDescription: String { label }

        init(_ label: String, _ text: String, _ expected: RequestBodyModel) {
            self.init(label, Array(text.utf8), expected)
        }

        init(_ label: String, _ body: [UInt8], _ expected: RequestBodyModel) {
            self.label = label
            self.body = body
            self.expected = expected
        }
    }

    static let invalid = RequestBodyModel.invalidJSON
    static let missing = RequestBodyModel.missingModel

    static let documents: [Row] = [
        Row(
            "typical chat body",
            #"{"model":"granite-3b","messages":[{"role":"user","content":"Hi\nthere"}],"stream":true,"#
                + #""temperature":0.7,"max_tokens":128}"#,
            .model("granite-3b")
        ),
        Row(
            "model after messages",
            #"{"messages":[{"role":"system","content":"x"},{"role":"user","content":"y"}],"model":"m"}"#,
            .model("m")
        ),
        Row("whitespace around and inside", " \r\n\t{ \"model\" :\t\"m\" } \n", .model("m")),
        Row("empty model string", #"{"model":""}"#, .model("")),
        Row("literals and numbers alongside", #"{"a":true,"b":false,"c":null,"d":-0.5E-10,"model":"m"}"#, .model("m")),
        Row("empty containers alongside", #"{"a":{},"b":[],"c":[{}],"model":"m","d":[[]]}"#, .model("m")),
        Row("raw UTF-8 in the model", #"{"model":"gré-模型-😀"}"#, .model("gré-模型-😀")),
        Row("DEL is not a control character", "{\"model\":\"a\u{7F}b\"}", .model("a\u{7F}b")),

        // Only the top-level object's member counts.
        Row("model only in nested objects", #"{"messages":[{"model":"x"}],"extra":{"model":"y"}}"#, missing),
        Row("nested model before top-level one", #"{"meta":{"model":"inner"},"model":"outer"}"#, .model("outer")),
        Row("nested model after top-level one", #"{"model":"outer","meta":{"model":"inner"}}"#, .model("outer")),
        Row("nested model after non-string one", #"{"model":{"model":"inner"}}"#, missing),
        Row("model as an array element", #"{"list":["model","x"]}"#, missing),
        Row("other names", #"{"Model":"a","models":"b","mode":"c","model ":"d"}"#, missing),

        // Escapes are decoded.
        Row("escaped e-acute", #"{"model":"gr\u00e9"}"#, .model("gré")),
        Row("escaped quote", #"{"model":"a\"b"}"#, .model("a\"b")),
        Row("every short escape", #"{"model":"\"\\\/\b\f\n\r\t"}"#, .model("\"\\/\u{8}\u{C}\n\r\t")),
        Row("surrogate pair", #"{"model":"\ud83d\uDE00"}"#, .model("😀")),
        Row("escaped member name", #"{"mod\u0065l":"m"}"#, .model("m")),
        Row("fully escaped member name", #"{"\u006D\u006f\u0064\u0065\u006c":"m"}"#, .model("m")),
        Row("escaped name that is not model", #"{"model\n":"m"}"#, missing),
        Row("lone high surrogate", #"{"model":"a\ud800b"}"#, .model("a\u{FFFD}b")),
        Row("lone low surrogate", #"{"model":"\udc00"}"#, .model("\u{FFFD}")),
        Row("high surrogate then a non-surrogate", #"{"model":"\ud800\u0041"}"#, .model("\u{FFFD}A")),
        Row("two high surrogates", #"{"model":"\ud800\ud83d\ude00"}"#, .model("\u{FFFD}😀")),

        // The last `model` wins.
        Row("duplicate model strings", #"{"model":"a","stream":false,"model":"b"}"#, .model("b")),
        Row("string then null", #"{"model":"a","model":null}"#, missing),
        Row("number then string", #"{"model":1,"model":"b"}"#, .model("b")),

        // `model` is not a string.
        Row("model is a number", #"{"model":42}"#, missing),
        Row("model is null", #"{"model":null}"#, missing),
        Row("model is true", #"{"model":true}"#, missing),
        Row("model is an object", #"{"model":{"name":"x"}}"#, missing),
        Row("model is an empty object", #"{"model":{}}"#, missing),
        Row("model is an array", #"{"model":["x"]}"#, missing),

        // Valid JSON that is not an object with a model.
        Row("empty object", "{}", missing),
        Row("top-level array", #"[{"model":"x"}]"#, missing),
        Row("top-level string", #""model""#, missing),
        Row("top-level number", "42", missing),
        Row("top-level null", "null", missing),
        Row("top-level exponent", "1e5", missing),
        Row("top-level negative fraction", " -0.25e+3 ", missing),
        Row("zero", "0", missing),
        Row("number 1e5 as a member", #"{"n":1e5,"model":"m"}"#, .model("m")),

        // Not JSON.
        Row("empty body", "", invalid),
        Row("whitespace only", " \r\n\t", invalid),
        Row("form feed is not whitespace", "\u{C}{\"model\":\"m\"}", invalid),
        Row("trailing comma in object", #"{"model":"m",}"#, invalid),
        Row("trailing comma in array", #"{"model":"m","a":[1,]}"#, invalid),
        Row("leading comma", #"{,"model":"m"}"#, invalid),
        Row("trailing garbage", #"{"model":"m"}x"#, invalid),
        Row("second document", #"{"model":"m"}{}"#, invalid),
        Row("trailing NUL", Array(#"{"model":"m"}"#.utf8) + [0], invalid),
        Row("unterminated string", #"{"model":"m"#, invalid),
        Row("unterminated object", #"{"model":"m""#, invalid),
        Row("unterminated array", #"{"model":"m","a":[1"#, invalid),
        Row("unbalanced close", #"{"model":"m"]"#, invalid),
        Row("extra close", #"{"model":"m"}}"#, invalid),
        Row("missing colon", #"{"model" "m"}"#, invalid),
        Row("missing comma", #"{"a":1 "model":"m"}"#, invalid),
        Row("missing value", #"{"model":}"#, invalid),
        Row("non-string member name", #"{model:"m"}"#, invalid),
        Row("number as member name", #"{1:"m"}"#, invalid),
        Row("single quotes", "{'model':'m'}", invalid),
        Row("line comment", "{\"model\":\"m\" // c\n}", invalid),
        Row("block comment", #"{/* c */"model":"m"}"#, invalid),
        Row("NaN", #"{"model":"m","t":NaN}"#, invalid),
        Row("Infinity", #"{"model":"m","t":-Infinity}"#, invalid),
        Row("capitalised literal", #"{"model":"m","s":True}"#, invalid),
        Row("truncated literal", #"{"model":"m","s":tru}"#, invalid),
        Row("literal at the end", "nul", invalid),
        Row("invalid escape", #"{"model":"a\xb"}"#, invalid),
        Row("invalid escape in another string", #"{"model":"m","c":"\a"}"#, invalid),
        Row("bad hex digit", #"{"model":"\u12G4"}"#, invalid),
        Row("short unicode escape", #"{"model":"\u12"}"#, invalid),
        Row("backslash at the end", #"{"model":"\"#, invalid),
        Row("raw newline in a string", "{\"model\":\"a\nb\"}", invalid),
        Row("raw tab in a string", "{\"model\":\"m\",\"c\":\"a\tb\"}", invalid),
        Row("raw NUL in a string", Array(#"{"model":"a"#.utf8) + [0] + Array(#""}"#.utf8), invalid),
        Row("raw U+001F in a member name", Array(#"{"a"#.utf8) + [0x1F] + Array(#"":1}"#.utf8), invalid),
        Row("0xFF in a string", Array(#"{"model":"a"#.utf8) + [0xFF] + Array(#""}"#.utf8), invalid),
        Row("0xFF outside a string", Array(#"{"model":"m"}"#.utf8) + [0xFF], invalid),
        Row("lone continuation byte", Array(#"{"c":""#.utf8) + [0x80] + Array(#"","model":"m"}"#.utf8), invalid),
        Row("overlong encoding", Array(#"{"model":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), invalid),
        Row("overlong three bytes", Array(#"{"model":""#.utf8) + [0xE0, 0x80, 0xAF] + Array(#""}"#.utf8), invalid),
        Row("encoded surrogate", Array(#"{"model":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), invalid),
        Row("beyond U+10FFFF", Array(#"{"model":""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""}"#.utf8), invalid),
        Row("truncated sequence", Array(#"{"model":""#.utf8) + [0xE2, 0x82] + Array(#""}"#.utf8), invalid),
        Row("truncated at the end", Array(#"{"model":""#.utf8) + [0xF0, 0x9F], invalid),

        // Numbers follow the RFC grammar.
        Row("leading zero", #"{"model":"m","n":01}"#, invalid),
        Row("top-level leading zero", "01", invalid),
        Row("negative leading zero", #"{"model":"m","n":-01}"#, invalid),
        Row("minus alone", #"{"model":"m","n":-}"#, invalid),
        Row("top-level minus alone", "-", invalid),
        Row("plus sign", #"{"model":"m","n":+1}"#, invalid),
        Row("no integer part", #"{"model":"m","n":.5}"#, invalid),
        Row("no fraction digits", #"{"model":"m","n":1.}"#, invalid),
        Row("no exponent digits", #"{"model":"m","n":1e}"#, invalid),
        Row("signed empty exponent", #"{"model":"m","n":1e+}"#, invalid),
        Row("hexadecimal", #"{"model":"m","n":0x10}"#, invalid),
        Row("valid numbers", #"{"model":"m","n":[0,-0,10,1.5,1e5,1E+5,2e-3,-12.34e56]}"#, .model("m")),
    ]

    @Test(arguments: documents)
    func readsTheTopLevelModel(_ row: Row) {
        #expect(RequestBodyModel.read(row.body) == row.expected)
        #expect(row.body.withUnsafeBytes { RequestBodyModel.read($0) } == row.expected)
    }

    static func nested(_ depth: Int) -> [UInt8] {
        Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
    }

    @Test func nestingUpToTheLimitIsValid() {
        let body = Array(#"{"model":"m","d":"#.utf8) + Self.nested(100) + Array("}".utf8)
        #expect(RequestBodyModel.read(body) == .model("m"))
        #expect(RequestBodyModel.read(Self.nested(RequestBodyModel.maxDepth)) == .missingModel)
    }

    @Test func nestingPastTheLimitIsInvalid() {
        #expect(RequestBodyModel.read(Self.nested(RequestBodyModel.maxDepth + 1)) == .invalidJSON)
        let deepInObject = Array(#"{"model":"m","d":"#.utf8) + Self.nested(RequestBodyModel.maxDepth) + Array("}".utf8)
        #expect(RequestBodyModel.read(deepInObject) == .invalidJSON)
        #expect(RequestBodyModel.read(Self.nested(10_000)) == .invalidJSON)
        let objects =
            Array(repeating: Array(#"{"a":"#.utf8), count: 10_000).joined()
            + Array(repeating: UInt8(ascii: "}"), count: 10_000)
        #expect(RequestBodyModel.read(Array(objects)) == .invalidJSON)
        // The largest body the proxy accepts (SPEC 5.5), all openers.
        #expect(RequestBodyModel.read(Array(repeating: UInt8(ascii: "["), count: 16 << 20)) == .invalidJSON)
    }

    @Test func readsAOneMebibyteBody() {
        let message = #"{"role":"user","content":"Tell me about \"JSON\" \u00e9 gré 😀\n and more text."},"#
        var body = Array(#"{"messages":["#.utf8)
        while body.count < 1 << 20 { body += message.utf8 }
        body.removeLast()
        body += #"],"model":"big","stream":true}"#.utf8
        #expect(RequestBodyModel.read(body) == .model("big"))
        body.insert(UInt8(ascii: ","), at: body.count - 1)
        #expect(RequestBodyModel.read(body) == .invalidJSON)
    }

    // MARK: Against the byte-by-byte reference

    /// What `read` answers for `body` seen through a buffer that starts `offset` bytes into its
    /// storage and is followed there by `after`, which must not be read.
    static func read(_ body: [UInt8], offset: Int, after: [UInt8]) -> RequestBodyModel {
        let storage = Array(repeating: UInt8(ascii: "{"), count: offset) + body + after
        return storage.withUnsafeBytes {
            RequestBodyModel.read(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + body.count)]))
        }
    }

    /// The documents among `bodies` on which `read` and the reference disagree, with both answers.
    static func disagreements(
        _ bodies: some Sequence<[UInt8]>
    ) -> [(body: [UInt8], read: RequestBodyModel, reference: RequestBodyModel)] {
        var found: [(body: [UInt8], read: RequestBodyModel, reference: RequestBodyModel)] = []
        for body in bodies {
            let reference = ReferenceBodyModel.read(body)
            let read = RequestBodyModel.read(body)
            if read != reference { found.append((body, read, reference)) }
            // Misaligned, and followed by bytes that would complete a cut-off document.
            let elsewhere = Self.read(body, offset: body.count % 8, after: Array(#""}]}"}"#.utf8))
            if elsewhere != reference { found.append((body, elsewhere, reference)) }
        }
        return found
    }

    @Test(arguments: 0..<8)
    func agreesWithTheReferenceOnRandomDocuments(_ seed: UInt64) {
        var documents = JSONishDocuments(seed: 0x6D6F_6465_6C00 + seed)
        var outcomes: [String: Int] = [:]
        let bodies = (0..<2_500).map { _ in documents.next() }
        for body in bodies {
            switch ReferenceBodyModel.read(body) {
            case .model: outcomes["model", default: 0] += 1
            case .missingModel: outcomes["missing", default: 0] += 1
            case .invalidJSON: outcomes["invalid", default: 0] += 1
            case .malformed: outcomes["malformed", default: 0] += 1
            }
        }
        let found = Self.disagreements(bodies)
        #expect(found.isEmpty, "\(found.count) disagreements, the first: \(found.first.map { "\($0)" } ?? "")")
        // The documents reach every answer, often.
        for outcome in ["model", "missing", "invalid"] {
            #expect(outcomes[outcome, default: 0] >= bodies.count / 10, "\(outcomes)")
        }
    }

    @Test func agreesWithTheReferenceOnEveryByteAtEveryOffsetInAString() {
        var bodies: [[UInt8]] = []
        for byte in UInt8.min...UInt8.max {
            for before in 0..<20 {
                for after in [0, 1, 2, 5, 7, 8, 9, 15, 16, 17, 30] {
                    let content =
                        Array(repeating: UInt8(ascii: "a"), count: before) + [byte]
                        + Array(repeating: UInt8(ascii: "b"), count: after)
                    bodies.append(Array(#"{"model":""#.utf8) + content + Array(#""}"#.utf8))
                }
            }
        }
        let found = Self.disagreements(bodies)
        #expect(found.isEmpty, "\(found.count) disagreements, the first: \(found.first.map { "\($0)" } ?? "")")
    }

    @Test func agreesWithTheReferenceOnEveryTwoBytesFromANonASCIIOne() {
        var bodies: [[UInt8]] = []
        let tails: [[UInt8]] = [[], [0x80], [0xBF], [0x80, 0x80], [0xBF, 0xC0], [0xC0], [0x22]]
        for first in UInt8(0x80)...UInt8.max {
            for second in UInt8.min...UInt8.max {
                for tail in tails {
                    bodies.append(Array(#"{"model":"x"#.utf8) + [first, second] + tail + Array(#"yz"}"#.utf8))
                }
            }
        }
        let found = Self.disagreements(bodies)
        #expect(found.isEmpty, "\(found.count) disagreements, the first: \(found.first.map { "\($0)" } ?? "")")
    }

    @Test func agreesWithTheReferenceOnWhitespaceRuns() {
        var bodies: [[UInt8]] = []
        let ends: [UInt8] = [
            0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x00, UInt8(ascii: "\""), UInt8(ascii: "}"), UInt8(ascii: "x"),
        ]
        for spaces in 0...40 {
            for end in ends {
                let run = [0x0A] + Array(repeating: UInt8(0x20), count: spaces) + [end]
                bodies.append(Array("{".utf8) + run + Array(#""model" :"m"}"#.utf8))
                bodies.append(Array(#"{"model":"m""#.utf8) + run + Array("}".utf8))
                bodies.append(Array(#"{"model":"m"}"#.utf8) + run)
                bodies.append(Array(#"{"model":"m"}"#.utf8) + Array(repeating: UInt8(0x20), count: spaces))
            }
        }
        let found = Self.disagreements(bodies)
        #expect(found.isEmpty, "\(found.count) disagreements, the first: \(found.first.map { "\($0)" } ?? "")")
    }

    @Test func longStringsAreScannedToTheirEnd() {
        // Every length around the word and block sizes, plain and with an escape or a sequence last.
        for length in 0..<70 {
            for last in ["", #"\""#, #"\u00e9"#, "é", "😀"] {
                let content = String(repeating: "a", count: length) + last
                let body = Array(#"{"messages":[{"content":"\#(content)"}],"model":"m"}"#.utf8)
                #expect(RequestBodyModel.read(body) == .model("m"), "\(length) \(last)")
                #expect(Self.read(body, offset: length % 8, after: []) == .model("m"), "\(length) \(last)")
                // Cut off anywhere in the string, with the rest right after the buffer.
                let opening = #"{"messages":[{"content":""#.utf8.count
                for end in opening...(opening + content.utf8.count) {
                    let cut = Array(body[..<end])
                    #expect(Self.read(cut, offset: end % 8, after: Array(body[end...])) == .invalidJSON, "\(end)")
                }
            }
        }
    }
}
