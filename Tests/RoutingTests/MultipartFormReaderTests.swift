import Routing
import Testing

@Suite("MultipartFormReader")
struct MultipartFormReaderTests {
    static let boundary = "b0undary"
    static let contentType = "multipart/form-data; boundary=\(boundary)"

    /// One part: its header lines (without CRLF) and its content.
    struct Part {
        var headers: [String]
        var content: [UInt8]

        init(_ headers: [String], _ content: [UInt8]) {
            self.headers = headers
            self.content = content
        }

        init(_ headers: [String], _ content: String) { self.init(headers, Array(content.utf8)) }

        static func field(_ name: String, _ value: String) -> Part {
            Part(["Content-Disposition: form-data; name=\"\(name)\""], value)
        }

        static func file(_ content: [UInt8], name: String = "file", filename: String = "speech.wav") -> Part {
            Part(
                [
                    "Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"",
                    "Content-Type: audio/wav",
                ],
                content
            )
        }
    }

    /// A well-formed body as httpx writes it: `--b CRLF headers CRLF CRLF content CRLF … --b-- CRLF`.
    static func form(
        _ parts: [Part],
        boundary: String = boundary,
        preamble: String = "",
        epilogue: String = "\r\n"
    ) -> [UInt8] {
        var body = Array(preamble.utf8)
        for part in parts {
            body += "--\(boundary)\r\n".utf8
            for header in part.headers { body += "\(header)\r\n".utf8 }
            body += "\r\n".utf8
            body += part.content
            body += "\r\n".utf8
        }
        body += "--\(boundary)--\(epilogue)".utf8
        return body
    }

    static func text(_ text: String) -> [UInt8] { Array(text.utf8) }

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var body: [UInt8]
        var expected: RequestBodyModel
        var testDescription: String { label }

        init(_ label: String, _ body: [UInt8], _ expected: RequestBodyModel) {
            self.label = label
            self.body = body
            self.expected = expected
        }
    }

    static let audio = (0..<4).flatMap { _ in (0...255).map { UInt8($0) } }

    static func malformed(_ fault: MultipartFault) -> RequestBodyModel { .malformed(fault) }

    static let bodies: [Row] = [
        // Where the model field is, and how many there are.
        Row("model then file", form([.field("model", "whisper-1"), .file(audio)]), .model("whisper-1")),
        Row("file then model", form([.file(audio), .field("model", "whisper-1")]), .model("whisper-1")),
        Row(
            "between other fields",
            form([.field("language", "en"), .field("model", "m"), .field("prompt", "model"), .file(audio)]),
            .model("m")
        ),
        Row(
            "two model fields: the last",
            form([.field("model", "first"), .file(audio), .field("model", "last")]),
            .model("last")
        ),
        Row("no model field", form([.field("language", "en"), .file(audio)]), .missingModel),
        Row("only a file", form([.file(audio)]), .missingModel),
        Row("a file named model is a file", form([.file(audio, name: "model")]), .missingModel),
        Row(
            "a file named model beside the field",
            form([.field("model", "m"), .file(Array("other".utf8), name: "model")]),
            .model("m")
        ),
        Row(
            "filename* makes a file",
            form([Part(["Content-Disposition: form-data; name=\"model\"; filename*=UTF-8''m.txt"], "m")]),
            .missingModel
        ),
        Row("field names are case-sensitive", form([.field("Model", "m")]), .missingModel),
        Row(
            "model-ish names",
            form([.field("models", "a"), .field("mode", "b"), .field("model ", "c")]),
            .missingModel
        ),

        // Content-Disposition spellings.
        Row("unquoted name", form([Part(["Content-Disposition: form-data; name=model"], "m")]), .model("m")),
        Row(
            "header and parameter names ignore case",
            form([Part(["content-DISPOSITION: Form-Data; NAME=\"model\""], "m")]),
            .model("m")
        ),
        Row(
            "parameters in any order, extra ones, spaces",
            form([Part(["Content-Disposition:form-data ;  foo=bar;name=\"model\" ;;  "], "m")]),
            .model("m")
        ),
        Row(
            "an escape never spells model",
            form([Part([#"Content-Disposition: form-data; name="mo\del""#], "m")]),
            .missingModel
        ),
        Row(
            "quoted filename with escapes and UTF-8",
            form([
                .field("model", "m"),
                Part([#"Content-Disposition: form-data; name="file"; filename="a\\b\"ü.wav""#], audio),
            ]),
            .model("m")
        ),
        Row(
            "the part's Content-Type is ignored",
            form([
                Part(
                    ["Content-Disposition: form-data; name=\"model\"", "Content-Type: text/plain; charset=utf-8"],
                    "m"
                )
            ]),
            .model("m")
        ),
        Row(
            "identity transfer encodings",
            form([Part(["Content-Transfer-Encoding: 8BIT", "Content-Disposition: form-data; name=model"], "m")]),
            .model("m")
        ),
        Row(
            "a base64 model",
            form([Part(["Content-Transfer-Encoding: base64", "Content-Disposition: form-data; name=model"], "bQ==")]),
            malformed(.modelTransferEncoding)
        ),
        Row(
            "a base64 file does not matter",
            form([
                .field("model", "m"),
                Part(["Content-Disposition: form-data; name=f", "Content-Transfer-Encoding: base64"], "AA=="),
            ]),
            .model("m")
        ),

        // Values: trimmed of nothing, bounded, text.
        Row("empty value", form([.field("model", "")]), .model("")),
        Row(
            "a file that begins with the boundary",
            form([.field("model", "m"), .file(text("--b0undary--"))]),
            malformed(.boundaryAtContentStart)
        ),
        Row("trailing space kept", form([.field("model", "gpt ")]), .model("gpt ")),
        Row("UTF-8 value", form([.field("model", "modèle-😀")]), .model("modèle-😀")),
        Row(
            "value with slashes",
            form([.field("model", "publishers/llm/models/facebook/opt-125m")]),
            .model("publishers/llm/models/facebook/opt-125m")
        ),
        Row(
            "value of 256 bytes",
            form([.field("model", String(repeating: "m", count: 256))]),
            .model(String(repeating: "m", count: 256))
        ),
        Row(
            "value of 257 bytes",
            form([.field("model", String(repeating: "m", count: 257))]),
            malformed(.modelTooLong)
        ),
        Row("an extra CRLF in the value", form([.field("model", "m\r\n")]), malformed(.modelNotText)),
        Row("a tab in the value", form([.field("model", "m\t1")]), malformed(.modelNotText)),
        Row(
            "NUL in the value",
            form([Part(["Content-Disposition: form-data; name=model"], [0x6D, 0x00])]),
            malformed(.modelNotText)
        ),
        Row(
            "DEL in the value",
            form([Part(["Content-Disposition: form-data; name=model"], [0x6D, 0x7F])]),
            malformed(.modelNotText)
        ),
        Row(
            "invalid UTF-8 value",
            form([Part(["Content-Disposition: form-data; name=model"], [0x6D, 0xFF])]),
            malformed(.modelNotText)
        ),
        Row(
            "an invalid earlier model still refuses",
            form([.field("model", "m\u{1}"), .field("model", "m")]),
            malformed(.modelNotText)
        ),
        Row(
            "content that begins with the boundary",
            text("--b0undary\r\nContent-Disposition: form-data; name=model\r\n\r\n--b0undary--"),
            malformed(.boundaryAtContentStart)
        ),

        // Delimiters, preamble and epilogue.
        Row(
            "a preamble",
            form([.field("model", "m")], preamble: "This is a preamble.\r\nIt says --b0undary mid-line.\r\n"),
            .model("m")
        ),
        Row("a preamble line that is only CRLF", form([.field("model", "m")], preamble: "\r\n"), .model("m")),
        Row(
            // The first delimiter found is the closing one.
            "a preamble without CRLF before the delimiter",
            form([.field("model", "m")], preamble: "text"),
            malformed(.noParts)
        ),
        Row(
            "an epilogue",
            form([.field("model", "m")], epilogue: "\r\nthe end\r\n--b0undary\r\nanything"),
            .model("m")
        ),
        Row("no CRLF after the closing delimiter", form([.field("model", "m")], epilogue: ""), .model("m")),
        Row(
            "padding after delimiters",
            text("--b0undary \t\r\nContent-Disposition: form-data; name=model\r\n\r\nm\r\n--b0undary--\t \r\n"),
            .model("m")
        ),
        Row(
            "text right after the closing delimiter",
            form([.field("model", "m")], epilogue: "x"),
            malformed(.delimiterLine)
        ),
        Row(
            "a CR alone after the closing delimiter",
            form([.field("model", "m")], epilogue: "\r"),
            malformed(.delimiterLine)
        ),
        Row(
            "the boundary as a prefix of another line",
            text("--b0undary\r\nContent-Disposition: form-data; name=model\r\n\r\nm\r\n--b0undaryX\r\n--b0undary--"),
            malformed(.delimiterLine)
        ),
        Row("the opening line goes on", text("--b0undaryX\r\n"), malformed(.delimiterLine)),
        Row(
            "a delimiter line ended by CR alone",
            text("--b0undary\rContent-Disposition: form-data; name=model\r\n\r\nm\r\n--b0undary--"),
            malformed(.delimiterLine)
        ),
        Row(
            "LF line ends throughout",
            text("--b0undary\nContent-Disposition: form-data; name=model\n\nm\n--b0undary--\n"),
            malformed(.delimiterLine)
        ),
        Row(
            "LF line ends in the headers",
            text("--b0undary\r\nContent-Disposition: form-data; name=model\n\nm\r\n--b0undary--\r\n"),
            malformed(.partHeaderSyntax)
        ),
        Row(
            "LF before the delimiters",
            text("--b0undary\r\nContent-Disposition: form-data; name=model\r\n\r\nm\n--b0undary--\n"),
            malformed(.noClosingDelimiter)
        ),
        Row("empty body", [], malformed(.noOpeningDelimiter)),
        Row("JSON sent as a form", text(#"{"model":"m"}"#), malformed(.noOpeningDelimiter)),
        Row("another boundary", form([.field("model", "m")], boundary: "other"), malformed(.noOpeningDelimiter)),
        Row(
            "boundaries compare case-sensitively",
            form([.field("model", "m")], boundary: "B0UNDARY"),
            malformed(.noOpeningDelimiter)
        ),
        Row("only the closing delimiter", text("--b0undary--\r\n"), malformed(.noParts)),
        Row("no closing delimiter", Array(form([.field("model", "m")]).dropLast(14)), malformed(.noClosingDelimiter)),
        Row(
            "ends after the last delimiter",
            text("--b0undary\r\nContent-Disposition: form-data; name=model\r\n\r\nm\r\n--b0undary"),
            malformed(.noClosingDelimiter)
        ),
        Row(
            "ends after one dash",
            text("--b0undary\r\nContent-Disposition: form-data; name=model\r\n\r\nm\r\n--b0undary-"),
            malformed(.noClosingDelimiter)
        ),
        Row(
            "ends after a delimiter line",
            text("--b0undary\r\nContent-Disposition: form-data; name=model\r\n\r\nm\r\n--b0undary\r\n"),
            malformed(.noClosingDelimiter)
        ),
        Row(
            "ends in a file",
            Array(form([.field("model", "m"), .file(audio)]).prefix(600)),
            malformed(.noClosingDelimiter)
        ),

        // Part headers.
        Row(
            "a part without headers",
            text("--b0undary\r\n\r\nm\r\n--b0undary--"),
            malformed(.contentDispositionMissing)
        ),
        Row(
            "a part without Content-Disposition",
            form([Part(["Content-Type: text/plain"], "m")]),
            malformed(.contentDispositionMissing)
        ),
        Row(
            "two Content-Disposition headers",
            form([Part(["Content-Disposition: form-data; name=a", "Content-Disposition: form-data; name=model"], "m")]),
            malformed(.contentDispositionMissing)
        ),
        Row(
            "not form-data",
            form([Part(["Content-Disposition: attachment; name=model"], "m")]),
            malformed(.contentDispositionInvalid)
        ),
        Row(
            "form-data without a name",
            form([Part(["Content-Disposition: form-data; filename=a.wav"], "m")]),
            malformed(.contentDispositionInvalid)
        ),
        Row(
            "two names",
            form([Part(["Content-Disposition: form-data; name=model; name=file"], "m")]),
            malformed(.contentDispositionInvalid)
        ),
        Row(
            "an unterminated quote",
            form([Part(["Content-Disposition: form-data; name=\"model"], "m")]),
            malformed(.contentDispositionInvalid)
        ),
        Row(
            "spaces around =",
            form([Part(["Content-Disposition: form-data; name = model"], "m")]),
            malformed(.contentDispositionInvalid)
        ),
        Row(
            "no semicolon",
            form([Part(["Content-Disposition: form-data name=model"], "m")]),
            malformed(.contentDispositionInvalid)
        ),
        Row(
            "an empty Content-Disposition",
            form([Part(["Content-Disposition:"], "m")]),
            malformed(.contentDispositionInvalid)
        ),
        Row(
            "a header without a colon",
            form([Part(["Content-Disposition: form-data; name=model", "X-Note"], "m")]),
            malformed(.partHeaderSyntax)
        ),
        Row(
            "a space before the colon",
            form([Part(["Content-Disposition : form-data; name=model"], "m")]),
            malformed(.partHeaderSyntax)
        ),
        Row(
            "a folded header",
            form([Part(["Content-Disposition: form-data; name=model", "X-Note: a", " b"], "m")]),
            malformed(.partHeaderSyntax)
        ),
        Row(
            "a control byte in a header",
            form([Part(["Content-Disposition: form-data; name=model", "X-Note: a\u{1}b"], "m")]),
            malformed(.partHeaderSyntax)
        ),
        Row(
            "a bare CR in a header",
            form([Part(["Content-Disposition: form-data; name=model\rX: y"], "m")]),
            malformed(.partHeaderSyntax)
        ),
        Row(
            "headers without their empty line",
            text("--b0undary\r\nContent-Disposition: form-data; name=model\r\n--b0undary--\r\n"),
            malformed(.partHeadersUnterminated)
        ),
        Row(
            "headers of exactly the limit",
            form([
                Part(
                    [
                        "Content-Disposition: form-data; name=model",
                        "X-Pad: " + String(repeating: "p", count: MultipartFormReader.maxPartHeaderBytes - 55),
                    ],
                    "m"
                )
            ]),
            .model("m")
        ),
        Row(
            "headers one byte over the limit",
            form([
                Part(
                    [
                        "Content-Disposition: form-data; name=model",
                        "X-Pad: " + String(repeating: "p", count: MultipartFormReader.maxPartHeaderBytes - 54),
                    ],
                    "m"
                )
            ]),
            malformed(.partHeadersTooLarge)
        ),
        Row(
            "a header block that never ends",
            text("--b0undary\r\nContent-Disposition: form-data; name=file\r\nX-Pad: ")
                + Array(repeating: 0x70, count: 20_000)
                + text("\r\n\r\n--b0undary--"),
            malformed(.partHeadersTooLarge)
        ),

        // Near-delimiters inside a file are content.
        Row(
            "the boundary text without CRLF in a file",
            form([
                .file(text("x--b0undary--b0undary\r\n--b0undar\n--b0undary\r--b0undary\r\n-b0undary")),
                .field("model", "m"),
            ]),
            .model("m")
        ),
        Row(
            "many small fields",
            form((0..<500).map { .field("f\($0)", "v\($0)") } + [.field("model", "m")]),
            .model("m")
        ),
    ]

    @Test(arguments: bodies)
    func readsTheModelField(_ row: Row) {
        #expect(RequestBodyModel.read(row.body, contentType: Self.contentType) == row.expected)
        #expect(row.body.withUnsafeBytes { RequestBodyModel.read($0, contentType: Self.contentType) } == row.expected)
        // Misaligned, and followed by a closing delimiter that must not be read.
        #expect(
            Self.read(row.body, offset: row.body.count % 8 + 1, after: Self.text("\r\n--b0undary--\r\n"))
                == row.expected
        )
    }

    /// What the reader answers for `body` seen through a buffer that starts `offset` bytes into its
    /// storage and is followed there by `after`.
    static func read(
        _ body: [UInt8],
        offset: Int,
        after: [UInt8],
        contentType: String = contentType
    ) -> RequestBodyModel {
        let storage = Array(repeating: UInt8(0x0D), count: offset) + body + after
        return storage.withUnsafeBytes {
            RequestBodyModel.read(
                UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + body.count)]),
                contentType: contentType
            )
        }
    }

    // MARK: What the openai SDK sends

    @Test(arguments: OpenAISDKBodies.all)
    func readsWhatTheOpenAISDKSends(_ capture: OpenAISDKBodies.Capture) throws {
        let body = capture.body
        #expect(RequestBodyModel.read(body, contentType: capture.contentType) == .model(capture.model))
        // Read as JSON it is not: without its Content-Type the answer is today's.
        #expect(RequestBodyModel.read(body, contentType: nil) == .invalidJSON)
        #expect(RequestBodyModel.read(body, contentType: "application/json") == .invalidJSON)
    }

    /// Cut off anywhere before its closing delimiter, a captured body is never read as having a model.
    @Test(arguments: OpenAISDKBodies.all)
    func aCutOffBodyIsMalformed(_ capture: OpenAISDKBodies.Capture) throws {
        let body = capture.body
        guard case .formData(let boundary) = BodyMediaType(contentType: capture.contentType) else {
            Issue.record("not form data")
            return
        }
        let closing = Array("\r\n--".utf8) + boundary + Array("--".utf8)
        let closingEnd = body.count - 2
        #expect(Array(body[(closingEnd - closing.count)..<closingEnd]) == closing)
        for cut in 0..<closingEnd {
            let expected: MultipartFault = cut < boundary.count + 2 ? .noOpeningDelimiter : .noClosingDelimiter
            let answer = Self.read(
                Array(body[..<cut]),
                offset: cut % 8,
                after: Array(body[cut...]),
                contentType: capture.contentType
            )
            #expect(answer == .malformed(expected), "cut at \(cut)")
        }
        #expect(
            RequestBodyModel.read(Array(body[..<closingEnd]), contentType: capture.contentType) == .model(capture.model)
        )
        #expect(
            RequestBodyModel.read(Array(body[...closingEnd]), contentType: capture.contentType)
                == .malformed(.delimiterLine)
        )
    }

    // MARK: Delimiters at every position

    /// The model field after a file part of every length around the word and vector sizes, whose
    /// content ends with every proper prefix of the delimiter (and with it cut one byte short).
    @Test func findsTheDelimiterAfterEveryNearMiss() {
        let delimiter = Self.text("\r\n--\(Self.boundary)")
        for length in 0..<70 {
            for prefix in 0..<delimiter.count {
                let filler = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) | 0x01 }
                for tail in [[], [UInt8(ascii: "x")], [UInt8(0x0D)]] {
                    let content = filler + delimiter[..<prefix] + tail
                    let body = Self.form([.file(content), .field("model", "m")])
                    #expect(
                        Self.read(body, offset: length % 16, after: []) == .model("m"),
                        "\(length) \(prefix) \(tail)"
                    )
                }
            }
        }
    }

    /// Every split of the boundary across what the file holds: the delimiter with one byte changed,
    /// at every position, is content.
    @Test func aDelimiterWithAnyByteChangedIsContent() {
        let delimiter = Self.text("\r\n--\(Self.boundary)")
        for position in 0..<delimiter.count {
            for replacement: UInt8 in [0x00, 0x0A, 0x0D, UInt8(ascii: "-"), UInt8(ascii: "B"), 0xFF] {
                var near = delimiter
                guard near[position] != replacement else { continue }
                near[position] = replacement
                let content = Self.audio + near + Self.text("tail")
                let body = Self.form([.field("model", "m"), .file(content)])
                #expect(
                    RequestBodyModel.read(body, contentType: Self.contentType) == .model("m"),
                    "\(position) \(replacement)"
                )
            }
        }
    }

    @Test func largeFilePartsAreSkipped() {
        var generator = SeededGenerator(seed: 0x6D75_6C74)
        let random = (0..<(4 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let allCR = [UInt8](repeating: 0x0D, count: 4 << 20)
        // Every CR begins a near miss: `CRLF--b0undar` then something else.
        let nearMisses = Array(Array(repeating: Self.text("\r\n--b0undar!"), count: (4 << 20) / 12).joined())
        for file in [random, allCR, nearMisses] {
            #expect(
                RequestBodyModel.read(Self.form([.file(file), .field("model", "big")]), contentType: Self.contentType)
                    == .model("big")
            )
            #expect(
                RequestBodyModel.read(Self.form([.field("model", "big"), .file(file)]), contentType: Self.contentType)
                    == .model("big")
            )
            // The closing delimiter missing: the whole file is searched, and nothing found.
            let cut = Array(Self.form([.field("model", "big"), .file(file)]).dropLast(4))
            #expect(RequestBodyModel.read(cut, contentType: Self.contentType) == .malformed(.noClosingDelimiter))
        }
    }

    /// The skip search against a naive one, over file contents made of the delimiter's own bytes: the
    /// model field after the file is found exactly when the file holds no delimiter.
    @Test(arguments: ["a", "ab", "-a-", "aaaa", "b'a(", String(repeating: "a", count: 70)])
    func findsWhatANaiveSearchFinds(_ boundary: String) {
        var generator = SeededGenerator(seed: UInt64(boundary.utf8.count) &* 0x5EED)
        let delimiter = Self.text("\r\n--\(boundary)")
        let alphabet = Self.text("\r\n-") + Array(Set(boundary.utf8)) + [UInt8(ascii: "z")]
        let contentType = "multipart/form-data; boundary=\"\(boundary)\""
        var found = 0
        for _ in 0..<3_000 {
            let length = Int(generator.next() % 160)
            var content = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            // Often a delimiter with one byte dropped or changed, or a real one.
            if length > 0, generator.next() % 2 == 0 {
                var near = delimiter
                switch generator.next() % 3 {
                case 0: near.remove(at: Int(generator.next() % UInt64(near.count)))
                case 1: near[Int(generator.next() % UInt64(near.count))] = alphabet[Int(generator.next() % 4)]
                default: break
                }
                content.insert(contentsOf: near, at: Int(generator.next() % UInt64(length)))
            }
            let body = Self.form([.file(content), .field("model", "m")], boundary: boundary)
            let holdsDelimiter =
                content.starts(with: delimiter.dropFirst(2))
                || (0..<content.count).contains { content[$0...].starts(with: delimiter) }
            let answer = Self.read(body, offset: length % 8, after: delimiter, contentType: contentType)
            #expect((answer == .model("m")) == !holdsDelimiter, "\(content)")
            if holdsDelimiter { found += 1 }
        }
        // Both sides of the property are reached, often.
        #expect(found > 300 && found < 2_700, "\(found)")
    }

    /// Random edits of a captured body: every answer is one of the four, and a model only when the
    /// edit left the model field and the delimiters whole.
    @Test(arguments: 0..<4)
    func editedBodiesNeverConfuseTheReader(_ seed: UInt64) {
        let capture = OpenAISDKBodies.transcriptionOptions
        let original = capture.body
        var generator = SeededGenerator(seed: 0x6564_6974 + seed)
        let alphabet = Self.text("\r\n-\"; =:ab") + [0x00, 0xFF]
        for _ in 0..<1_500 {
            var body = original
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let position = Int(generator.next() % UInt64(body.count))
                switch generator.next() % 3 {
                case 0: body[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: body.remove(at: position)
                default: body.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: position)
                }
            }
            let answer = Self.read(
                body,
                offset: Int(generator.next() % 8),
                after: original,
                contentType: capture.contentType
            )
            if case .model(let model) = answer {
                #expect(model.utf8.count <= MultipartFormReader.maxModelBytes)
                #expect(model.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F })
            }
            #expect(answer != .invalidJSON)
        }
    }

    // MARK: Content-Type

    struct ContentTypeRow: Sendable, CustomTestStringConvertible {
        var value: String?
        var expected: BodyMediaType
        var testDescription: String { value.map { "\"\($0)\"" } ?? "nil" }

        init(_ value: String?, _ expected: BodyMediaType) {
            self.value = value
            self.expected = expected
        }
    }

    static func formData(_ boundary: String) -> BodyMediaType { .formData(boundary: Array(boundary.utf8)) }

    static let contentTypes: [ContentTypeRow] = [
        ContentTypeRow(nil, .other),
        ContentTypeRow("", .other),
        ContentTypeRow("application/json", .other),
        ContentTypeRow("application/json; charset=utf-8", .other),
        ContentTypeRow("text/plain", .other),
        ContentTypeRow("multipart/mixed; boundary=abc", .other),
        ContentTypeRow("multipart/form-datax; boundary=abc", .other),
        ContentTypeRow("multipart/form-dat; boundary=abc", .other),
        ContentTypeRow("multipart", .other),
        ContentTypeRow("form-data; boundary=abc", .other),
        ContentTypeRow("multipart/form-data; boundary=abc", formData("abc")),
        ContentTypeRow("Multipart/Form-Data; BOUNDARY=abc", formData("abc")),
        ContentTypeRow("MULTIPART/FORM-DATA;boundary=AbC", formData("AbC")),
        ContentTypeRow("  multipart/form-data ; boundary=abc ;", formData("abc")),
        ContentTypeRow("multipart/form-data; charset=utf-8; boundary=abc", formData("abc")),
        ContentTypeRow("multipart/form-data; boundary=abc; charset=\"utf-8\"", formData("abc")),
        ContentTypeRow("multipart/form-data;; boundary=abc;;", formData("abc")),
        ContentTypeRow(
            "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
            formData("----WebKitFormBoundary7MA4YWxkTrZu0gW")
        ),
        ContentTypeRow("multipart/form-data; boundary=\"a b'()+_,-./:=?Z\"", formData("a b'()+_,-./:=?Z")),
        ContentTypeRow(#"multipart/form-data; boundary="a\bc""#, formData("abc")),
        ContentTypeRow(
            "multipart/form-data; boundary=" + String(repeating: "x", count: 70),
            formData(String(repeating: "x", count: 70))
        ),
        ContentTypeRow(
            "multipart/form-data; boundary=" + String(repeating: "x", count: 71),
            .malformed(.boundaryInvalid)
        ),
        ContentTypeRow("multipart/form-data; boundary=\"\"", .malformed(.boundaryInvalid)),
        ContentTypeRow("multipart/form-data; boundary=\"abc \"", .malformed(.boundaryInvalid)),
        ContentTypeRow(#"multipart/form-data; boundary="a\"b""#, .malformed(.boundaryInvalid)),
        ContentTypeRow("multipart/form-data; boundary=a!b", .malformed(.boundaryInvalid)),
        ContentTypeRow("multipart/form-data; boundary=\"a;b\"", .malformed(.boundaryInvalid)),
        ContentTypeRow("multipart/form-data; boundary=\"é\"", .malformed(.boundaryInvalid)),
        ContentTypeRow("multipart/form-data", .malformed(.boundaryMissing)),
        ContentTypeRow("multipart/form-data; charset=utf-8", .malformed(.boundaryMissing)),
        ContentTypeRow("multipart/form-data; boundary=a; boundary=a", .malformed(.boundaryRepeated)),
        ContentTypeRow("multipart/form-data; Boundary=a; BOUNDARY=b", .malformed(.boundaryRepeated)),
        ContentTypeRow("multipart/form-data; boundary=", .malformed(.contentTypeSyntax)),
        ContentTypeRow("multipart/form-data; boundary", .malformed(.contentTypeSyntax)),
        ContentTypeRow("multipart/form-data boundary=abc", .malformed(.contentTypeSyntax)),
        ContentTypeRow("multipart/form-data; boundary=\"abc", .malformed(.contentTypeSyntax)),
        ContentTypeRow("multipart/form-data; boundary=a:b", .malformed(.contentTypeSyntax)),
        ContentTypeRow("multipart/form-data; boundary = abc", .malformed(.contentTypeSyntax)),
        ContentTypeRow("multipart/form-data; boundary=abc def", .malformed(.contentTypeSyntax)),
        ContentTypeRow("multipart/form-data; boundary=\"a\u{1}b\"", .malformed(.contentTypeSyntax)),
    ]

    @Test(arguments: contentTypes)
    func readsTheBoundary(_ row: ContentTypeRow) {
        #expect(BodyMediaType(contentType: row.value) == row.expected)
    }

    @Test func aMalformedContentTypeRefusesTheBody() {
        let body = Self.form([.field("model", "m")])
        #expect(RequestBodyModel.read(body, contentType: "multipart/form-data") == .malformed(.boundaryMissing))
        #expect(RequestBodyModel.read(body, contentType: "multipart/form-data; boundary=\"b0undary\"") == .model("m"))
        let special = "a b'()+_,-./:=?Z"
        let quoted = Self.form([.field("model", "m"), .file(Self.audio)], boundary: special)
        #expect(
            RequestBodyModel.read(quoted, contentType: "multipart/form-data; boundary=\"\(special)\"") == .model("m")
        )
    }

    /// The JSON reader's table, read through `read(_:contentType:)` with any other media type.
    @Test func otherMediaTypesAreReadAsJSON() {
        for row in RequestBodyModelTests.documents {
            for contentType in [nil, "application/json", "text/plain", "multipart/mixed; boundary=b"] {
                #expect(RequestBodyModel.read(row.body, contentType: contentType) == row.expected, "\(row.label)")
            }
        }
    }

    @Test func faultsDescribeTheRule() {
        #expect("\(MultipartFault.noClosingDelimiter)" == "the body ends before the closing boundary delimiter")
        #expect("\(MultipartFault.partHeadersTooLarge)" == "a part's headers are longer than 8192 bytes")
        #expect("\(MultipartFault.modelTooLong)" == "the model field is longer than 256 bytes")
    }
}
