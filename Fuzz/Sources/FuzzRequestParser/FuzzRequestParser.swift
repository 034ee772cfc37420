// libFuzzer harness: a client's byte stream through RequestHeadParser and BodyDecoder, as a server
// connection reads it: parse a head, decode its body, parse the next pipelined request, until the input
// runs out (needMore), a request is refused, a body is malformed, or a request asks to close.
//
// The input is the raw stream. Every input is run three times, whole, split in two at a point taken from
// its hash, and trickled in small reads (each call gets ALL unconsumed bytes), and the three transcripts
// must be equal. Any trap is a finding: a `contractViolation` (message says which rule), a Swift runtime
// trap inside the codec (overflow, bounds), or an AddressSanitizer report (the harness poisons the bytes
// outside each call's window, see FuzzInput).
import FuzzKit
import HTTP1

/// Small limits so that the fuzzer reaches them within its 4 KiB inputs.
let limits = HeadLimits(maxHeadBytes: 1024, maxBodyBytes: 2048, maxFields: 24)
/// Empty lines the codec skips before a request line (HeadLines.maxLeadingEmptyLines, documented as 8).
let maxLeadingEmptyLines = 8

@_cdecl("FuzzRequestParser_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let input = FuzzInput(data, count: size)
    var transcripts: [(schedule: [Int], events: [Event])] = []
    for schedule in input.schedules() {
        var connection = Connection(input: input)
        for available in schedule { connection.read(upTo: available) }
        connection.peerClosed()
        transcripts.append((schedule, connection.events))
    }
    requireSameTranscripts(transcripts)
    return 0
}

/// What a request head came out as; equal heads compare equal.
struct Summary: Equatable {
    var bytes: [UInt8]
    var method: HTTPMethod
    var target: Range<Int>
    var pathEnd: Int
    var version: HTTPVersion
    var fields: [HeaderField]
    var framing: BodyFraming
    var keepAlive: Bool
    var expectsContinue: Bool

    init(_ head: RequestHead) {
        bytes = head.bytes
        method = head.method
        target = head.target
        pathEnd = head.pathEnd
        version = head.version
        fields = head.fields
        framing = head.framing
        keepAlive = head.keepAlive
        expectsContinue = head.expectsContinue
    }
}

/// One thing the connection saw, at absolute stream offsets.
enum Event: Equatable, CustomStringConvertible {
    case head(Summary, end: Int)
    /// A body's whole payload, recorded when the body stops (only the bytes matter, not how reads cut them).
    case body([UInt8])
    case bodyEnd(at: Int)
    case refused(RequestRefusal, at: Int)
    /// Malformed framing or too large: the connection closes, so what `consumed` said with it does not matter
    /// (the decoder may count framing bytes it had consumed in the same call or not, depending on the reads).
    case bodyInvalid(String)
    case bodyTooLarge
    /// The request was not keep-alive: a server stops reading here.
    case closeAfter(at: Int)
    /// The input ended with the stream consumed up to `at`; for a body in progress, what finishAtClose said.
    case inputEnd(at: Int, finishAtClose: Bool?)

    var description: String {
        switch self {
        case .head(let s, let end):
            "head \(s.method.name) \(escaped(s.bytes[s.target])) \(s.version.name), \(s.fields.count) fields, "
                + "\(s.framing), keepAlive \(s.keepAlive), continue \(s.expectsContinue), ends at \(end)"
        case .body(let bytes): "body \(escaped(bytes, limit: 64))"
        case .bodyEnd(let at): "body ends at \(at)"
        case .refused(let refusal, let at): "refused \(refusal) at \(at)"
        case .bodyInvalid(let why): "body invalid (\(why))"
        case .bodyTooLarge: "body too large"
        case .closeAfter(let at): "close after \(at)"
        case .inputEnd(let at, let finish):
            "input ends, consumed up to \(at)" + (finish.map { ", in a body, finishAtClose \($0)" } ?? "")
        }
    }
}

/// The body being decoded.
struct Body {
    var decoder: BodyDecoder
    let framing: BodyFraming
    /// Absolute index of its first byte.
    let start: Int
    var payload: [UInt8] = []
    /// The request was not keep-alive.
    let closesConnection: Bool
}

/// A server connection's read side over one schedule of the input.
struct Connection {
    let input: FuzzInput
    var parser = RequestHeadParser(limits: limits)
    var body: Body?
    /// Absolute index of the first unconsumed byte.
    var offset = 0
    var closed = false
    var events: [Event] = []

    init(input: FuzzInput) {
        self.input = input
    }

    /// Handles everything the first `available` bytes allow.
    mutating func read(upTo available: Int) {
        // Each turn either consumes bytes, finishes a message or stops: more turns than this is a hang.
        var turns = 0
        while !closed {
            turns += 1
            require(turns <= 4 * input.count + 16, "no progress: the codec keeps answering without consuming")
            let progressed = body == nil ? parseHead(available) : decodeBody(available)
            if !progressed { return }
        }
    }

    /// Returns false when the head needs more bytes.
    mutating func parseHead(_ available: Int) -> Bool {
        let result = input.withWindow(offset, available) { window -> RequestParse in
            let result = parser.parse(window)
            switch result {
            case .needMore:
                break
            case .head(let head, let consumed):
                check(head, consumed: consumed, window: window)
            case .refused(let refusal):
                // Documented: after .refused the parser keeps returning the same refusal until reset().
                guard case .refused(let again) = parser.parse(window), again == refusal else {
                    contractViolation("a refused parser must keep returning the same refusal", "first: \(refusal)")
                }
            }
            return result
        }
        switch result {
        case .needMore:
            return false
        case .head(let head, let consumed):
            offset += consumed
            events.append(.head(Summary(head), end: offset))
            parser.reset()
            body = Body(
                decoder: BodyDecoder(framing: head.framing, maxBodyBytes: limits.maxBodyBytes),
                framing: head.framing,
                start: offset,
                closesConnection: !head.keepAlive
            )
            return true
        case .refused(let refusal):
            events.append(.refused(refusal, at: offset))
            closed = true
            return true
        }
    }

    /// Returns false when the body needs more bytes.
    mutating func decodeBody(_ available: Int) -> Bool {
        guard var current = body else { return false }
        let step = input.withWindow(offset, available) { window -> BodyStep in
            let step = current.decoder.next(window)
            require(
                step.consumed >= 0 && step.consumed <= window.count,
                "BodyStep.consumed must lie within the input",
                "consumed \(step.consumed) of \(window.count), \(step.event)"
            )
            if case .data(let range) = step.event {
                require(
                    range.lowerBound >= 0 && range.upperBound <= step.consumed,
                    "data range must lie within 0..<consumed",
                    "range \(range), consumed \(step.consumed)"
                )
                require(step.consumed > 0, "a data step must consume bytes", "range \(range)")
                current.payload += UnsafeRawBufferPointer(rebasing: window[range])
            }
            return step
        }
        offset += step.consumed
        body = current
        switch step.event {
        case .data:
            require(
                current.payload.count <= limits.maxBodyBytes,
                "a request body must not exceed maxBodyBytes",
                "\(current.payload.count) bytes"
            )
            if case .length(let n) = current.framing {
                require(current.payload.count <= n, "a Content-Length body must not exceed its length")
            }
            return true
        case .needMore:
            return false
        case .end:
            require(current.decoder.isComplete, "after .end the decoder must be complete")
            let again = input.withWindow(offset, available) { current.decoder.next($0) }
            require(
                again == BodyStep(consumed: 0, event: .end),
                "a complete decoder must keep answering .end",
                "\(again)"
            )
            checkEndedBody(current, end: offset)
            events += [.body(current.payload), .bodyEnd(at: offset)]
            body = nil
            if current.closesConnection {
                events.append(.closeAfter(at: offset))
                closed = true
            }
            return true
        case .invalid(let why):
            require(!current.decoder.isComplete, "an invalid body is not complete")
            events += [.body(current.payload), .bodyInvalid(why)]
            closed = true
            return true
        case .tooLarge:
            events += [.body(current.payload), .bodyTooLarge]
            closed = true
            return true
        }
    }

    /// The input ended (the client closed): record where the stream stood.
    mutating func peerClosed() {
        guard !closed else { return }
        guard var current = body else {
            events.append(.inputEnd(at: offset, finishAtClose: nil))
            return
        }
        let finished = current.decoder.finishAtClose()
        // A request body is never delimited by the close, and one that had ended was handled already.
        require(!finished, "finishAtClose must be false for a request body that has not ended")
        events += [.body(current.payload), .inputEnd(at: offset, finishAtClose: finished)]
    }

    /// The body decoded from stream[start..<end] must be what the framing says.
    func checkEndedBody(_ current: Body, end: Int) {
        let bytes = input.bytes
        switch current.framing {
        case .none:
            require(
                end == current.start && current.payload.isEmpty,
                "a body framed .none must end at once without data"
            )
        case .length(let n):
            require(
                end - current.start == n,
                "a Content-Length body must be exactly n bytes",
                "\(end - current.start) vs \(n)"
            )
            require(
                current.payload == Array(bytes[current.start..<end]),
                "a Content-Length body's data must be its bytes"
            )
        case .chunked:
            do {
                let expected = try Grammar.chunkedBody(bytes, current.start..<end)
                require(
                    expected == current.payload,
                    "chunked payload differs from the reference decoding",
                    "decoder: \(escaped(current.payload, limit: 128))\nreference: \(escaped(expected, limit: 128))"
                )
            } catch {
                contractViolation(
                    "the decoder accepted a chunked body the grammar refuses: \(error)",
                    "body: \(escaped(bytes[current.start..<end]))"
                )
            }
        case .untilClose:
            contractViolation("a request head must never be framed untilClose")
        }
    }
}

/// Checks a `.head` result against the buffer it came from and against the grammar (the oracle).
func check(_ head: RequestHead, consumed: Int, window: UnsafeRawBufferPointer) {
    require(
        consumed > 0 && consumed <= window.count,
        "head consumed must lie in 1...buffer.count",
        "\(consumed) of \(window.count)"
    )
    let bytes = head.bytes
    let skipped = consumed - bytes.count
    require(skipped >= 0, "head.bytes longer than consumed", "\(bytes.count) > \(consumed)")
    require(
        Array(window[skipped..<consumed]) == bytes,
        "head.bytes must be the last bytes consumed",
        "head.bytes: \(escaped(bytes))\nconsumed: \(escaped(window[0..<consumed]))"
    )
    require(
        skipped % 2 == 0 && skipped / 2 <= maxLeadingEmptyLines
            && stride(from: 0, to: skipped, by: 2).allSatisfy { window[$0] == 0x0D && window[$0 + 1] == 0x0A },
        "only up to \(maxLeadingEmptyLines) empty lines may precede a head",
        escaped(window[0..<skipped])
    )
    require(bytes.count <= limits.maxHeadBytes, "head longer than maxHeadBytes", "\(bytes.count)")
    require(head.fields.count <= limits.maxFields, "more fields than maxFields", "\(head.fields.count)")
    if let violation = grammarViolation(head) {
        contractViolation("the parser accepted a head the grammar refuses: \(violation)", "head: \(escaped(bytes))")
    }
}

/// What is wrong with an accepted head per RFC 9112 and the rules RequestHeadParser documents, or nil.
func grammarViolation(_ head: RequestHead) -> String? {
    let bytes = head.bytes
    let parsed: Grammar.Head
    do { parsed = try Grammar.head(bytes) } catch { return "\(error)" }

    // Request line: method SP request-target SP HTTP-version, single spaces.
    let line = parsed.startLine
    let spaces = line.filter { bytes[$0] == 0x20 }
    guard spaces.count == 2 else { return "request line with \(spaces.count) spaces" }
    let method = line.lowerBound..<spaces[0]
    let target = (spaces[0] + 1)..<spaces[1]
    let versionRange = (spaces[1] + 1)..<line.upperBound
    guard Array(bytes[method]) == Array(head.method.name.utf8) else { return "method is not \(head.method.name)" }
    guard let minor = Grammar.httpVersionMinor(bytes, versionRange) else {
        return "version is not HTTP/1.0 or HTTP/1.1"
    }
    guard (minor == 1) == (head.version == .http11) else { return "version differs from head.version" }
    guard target == head.target else { return "target range \(head.target) should be \(target)" }
    guard !target.isEmpty, target.allSatisfy({ bytes[$0] > 0x20 && bytes[$0] < 0x7F && bytes[$0] != UInt8(ascii: "#") })
    else { return "target holds a byte outside visible ASCII, or '#'" }
    let asterisk = target.count == 1 && bytes[target.lowerBound] == UInt8(ascii: "*")
    guard bytes[target.lowerBound] == UInt8(ascii: "/") || (asterisk && head.method == .options) else {
        return "target is neither origin-form nor '*' for OPTIONS"
    }
    let query = target.first { bytes[$0] == UInt8(ascii: "?") } ?? target.upperBound
    guard head.pathEnd == query else { return "pathEnd \(head.pathEnd) should be \(query)" }

    // Fields: the same ranges, in order.
    let fields = parsed.fields.map { HeaderField(name: $0.name, value: $0.value) }
    guard fields == head.fields else { return "fields \(head.fields) should be \(fields)" }
    func named(_ name: String) -> [HeaderField] { fields.filter { Grammar.equalsIgnoringCase(bytes, $0.name, name) } }

    let hosts = named("host").count
    guard hosts <= 1, head.version == .http10 || hosts == 1 else {
        return "\(hosts) Host fields in \(head.version.name)"
    }
    guard named("authorization").count <= 1 else { return "several Authorization fields" }

    // Framing (smuggling): one Transfer-Encoding that is exactly `chunked`, or one valid Content-Length.
    let codings = named("transfer-encoding")
    let lengths = named("content-length")
    guard codings.count <= 1, lengths.count <= 1 else { return "repeated Transfer-Encoding or Content-Length" }
    let expected: BodyFraming
    if let coding = codings.first {
        guard Grammar.equalsIgnoringCase(bytes, coding.value, "chunked") else {
            return "Transfer-Encoding is not chunked"
        }
        guard lengths.isEmpty else { return "Transfer-Encoding together with Content-Length" }
        guard head.version == .http11 else { return "Transfer-Encoding in HTTP/1.0" }
        expected = .chunked
    } else if let length = lengths.first {
        guard let n = Grammar.contentLength(bytes, length.value) else { return "invalid Content-Length accepted" }
        guard n <= limits.maxBodyBytes else { return "Content-Length above maxBodyBytes accepted" }
        expected = .length(n)
    } else {
        expected = .none
    }
    guard head.framing == expected else { return "framing \(head.framing) should be \(expected)" }

    // Connection options (RFC 9112 9.3, 9.6) and Expect.
    let options = named("connection").flatMap { Grammar.listElements(bytes, $0.value) }
    let close = options.contains { Grammar.equalsIgnoringCase(bytes, $0, "close") }
    let keepAliveOption = options.contains { Grammar.equalsIgnoringCase(bytes, $0, "keep-alive") }
    let keepAlive = head.version == .http11 ? !close : keepAliveOption && !close
    guard head.keepAlive == keepAlive else { return "keepAlive \(head.keepAlive) should be \(keepAlive)" }
    let expects = named("expect").contains { Grammar.equalsIgnoringCase(bytes, $0.value, "100-continue") }
    guard head.expectsContinue == expects else { return "expectsContinue \(head.expectsContinue) should be \(expects)" }
    return nil
}
