// libFuzzer harness: an upstream's byte stream through ResponseHeadParser and BodyDecoder, as the
// proxy's upstream connection reads it: skip 1xx interim heads, parse the final head, decode its body,
// parse the next response (requests pipelined on a kept-alive connection), until the input runs out,
// a head or body is invalid, or a response ends the connection.
//
// Input: byte 0 says which requests were HEAD: bit i (i = 0...7) is requestWasHEAD for the i-th final
// response, the 9th uses bit 0 again, and so on. The rest is the stream. As in FuzzRequestParser, every
// input runs whole, split in two and trickled, and the transcripts must be equal; any trap is a finding.
import FuzzKit
import HTTP1

let maxHeadBytes = 1024
/// Empty lines the codec skips before a status line (HeadLines.maxLeadingEmptyLines, documented as 8).
let maxLeadingEmptyLines = 8

@_cdecl("FuzzResponseParser_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 1 else { return 0 }
    let headRequests = data[0]
    let input = FuzzInput(data + 1, count: size - 1)
    var transcripts: [(schedule: [Int], events: [Event])] = []
    for schedule in input.schedules() {
        var connection = Connection(input: input, headRequests: headRequests)
        for available in schedule { connection.read(upTo: available) }
        connection.peerClosed()
        transcripts.append((schedule, connection.events))
    }
    requireSameTranscripts(transcripts)
    return 0
}

/// What a response head came out as; equal heads compare equal.
struct Summary: Equatable {
    var bytes: [UInt8]
    var status: Int
    var version: HTTPVersion
    var fields: [HeaderField]
    var framing: BodyFraming
    var keepAlive: Bool

    init(_ head: ResponseHead) {
        bytes = head.bytes
        status = head.status
        version = head.version
        fields = head.fields
        framing = head.framing
        keepAlive = head.keepAlive
    }
}

/// One thing the connection saw, at absolute stream offsets.
enum Event: Equatable, CustomStringConvertible {
    case interim(end: Int)
    case head(Summary, requestWasHEAD: Bool, end: Int)
    case invalidHead(String, at: Int)
    /// A body's whole payload, recorded when the body stops (only the bytes matter, not how reads cut them).
    case body([UInt8])
    case bodyEnd(at: Int)
    /// The connection closes, so the position does not matter (see FuzzRequestParser).
    case bodyInvalid(String)
    /// The response was not reusable: the proxy closes the connection after it.
    case closeAfter(at: Int)
    /// The upstream closed with the stream consumed up to `at`; for a body in progress, what finishAtClose said.
    case inputEnd(at: Int, finishAtClose: Bool?)

    var description: String {
        switch self {
        case .interim(let end): "interim response, ends at \(end)"
        case .head(let s, let wasHEAD, let end):
            "head \(s.status) \(s.version.name)\(wasHEAD ? " (to HEAD)" : ""), \(s.fields.count) fields, "
                + "\(s.framing), keepAlive \(s.keepAlive), ends at \(end)"
        case .invalidHead(let why, let at): "invalid head (\(why)) at \(at)"
        case .body(let bytes): "body \(escaped(bytes, limit: 64))"
        case .bodyEnd(let at): "body ends at \(at)"
        case .bodyInvalid(let why): "body invalid (\(why))"
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
    /// The response was not reusable.
    let closesConnection: Bool
}

/// The proxy's upstream connection, read side, over one schedule of the input.
struct Connection {
    let input: FuzzInput
    let headRequests: UInt8
    var parser = ResponseHeadParser(maxHeadBytes: maxHeadBytes)
    /// Final responses seen so far (which request the next one answers).
    var responses = 0
    var body: Body?
    /// Absolute index of the first unconsumed byte.
    var offset = 0
    var closed = false
    var events: [Event] = []

    init(input: FuzzInput, headRequests: UInt8) {
        self.input = input
        self.headRequests = headRequests
    }

    var requestWasHEAD: Bool { headRequests >> (responses % 8) & 1 == 1 }

    /// Handles everything the first `available` bytes allow.
    mutating func read(upTo available: Int) {
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
        let wasHEAD = requestWasHEAD
        let result = input.withWindow(offset, available) { window -> ResponseParse in
            let result = parser.parse(window, requestWasHEAD: wasHEAD)
            switch result {
            case .needMore:
                break
            case .interim(let consumed):
                checkInterim(consumed: consumed, window: window)
            case .head(let head, let consumed):
                check(head, requestWasHEAD: wasHEAD, consumed: consumed, window: window)
            case .invalid(let why):
                // Documented: after .invalid the parser keeps answering the same.
                guard case .invalid(let again) = parser.parse(window, requestWasHEAD: wasHEAD), again == why else {
                    contractViolation("an invalid parser must keep answering the same", "first: \(why)")
                }
            }
            return result
        }
        switch result {
        case .needMore:
            return false
        case .interim(let consumed):
            offset += consumed
            events.append(.interim(end: offset))
            // The parser resets itself after .interim (documented); the caller need not.
            return true
        case .head(let head, let consumed):
            offset += consumed
            events.append(.head(Summary(head), requestWasHEAD: wasHEAD, end: offset))
            responses += 1
            parser.reset()
            body = Body(
                decoder: BodyDecoder(framing: head.framing),
                framing: head.framing,
                start: offset,
                closesConnection: !head.keepAlive
            )
            return true
        case .invalid(let why):
            events.append(.invalidHead(why, at: offset))
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
            contractViolation("a response decoder without maxBodyBytes must never answer .tooLarge")
        }
    }

    /// The upstream closed: a close-delimited body ends here, any other body is cut short.
    mutating func peerClosed() {
        guard !closed else { return }
        guard var current = body else {
            events.append(.inputEnd(at: offset, finishAtClose: nil))
            return
        }
        let finished = current.decoder.finishAtClose()
        let untilClose = current.framing == .untilClose
        require(finished == untilClose, "finishAtClose must be true exactly for an untilClose body in progress")
        if finished {
            require(offset == input.count, "an untilClose body must have consumed everything")
            checkEndedBody(current, end: offset)
        }
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
            require(
                current.payload == Array(bytes[current.start..<end]),
                "a close-delimited body's data must be its bytes"
            )
        }
    }
}

/// The empty lines before a head, `window[0..<skipped]`: CRLF pairs, at most `maxLeadingEmptyLines`.
func checkSkipped(_ window: UnsafeRawBufferPointer, _ skipped: Int) {
    require(
        skipped % 2 == 0 && skipped / 2 <= maxLeadingEmptyLines
            && stride(from: 0, to: skipped, by: 2).allSatisfy { window[$0] == 0x0D && window[$0 + 1] == 0x0A },
        "only up to \(maxLeadingEmptyLines) empty lines may precede a head",
        escaped(window[0..<skipped])
    )
}

/// An `.interim` result: its bytes must be a 1xx head (not 101), after skipped empty lines.
func checkInterim(consumed: Int, window: UnsafeRawBufferPointer) {
    require(
        consumed > 0 && consumed <= window.count,
        "interim consumed must lie in 1...buffer.count",
        "\(consumed) of \(window.count)"
    )
    var skipped = 0
    while skipped + 1 < consumed && window[skipped] == 0x0D && window[skipped + 1] == 0x0A { skipped += 2 }
    checkSkipped(window, skipped)
    let bytes = Array(window[skipped..<consumed])
    require(bytes.count <= maxHeadBytes, "interim head longer than maxHeadBytes", "\(bytes.count)")
    switch parseStatusHead(bytes) {
    case .failure(let violation):
        contractViolation(
            "the parser accepted an interim head the grammar refuses: \(violation)",
            "head: \(escaped(bytes))"
        )
    case .success(let (status, _, _)):
        require((100...199).contains(status) && status != 101, "interim for status \(status)", escaped(bytes))
    }
}

/// Checks a `.head` result against the buffer it came from and against the grammar (the oracle).
func check(_ head: ResponseHead, requestWasHEAD: Bool, consumed: Int, window: UnsafeRawBufferPointer) {
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
    checkSkipped(window, skipped)
    require(bytes.count <= maxHeadBytes, "head longer than maxHeadBytes", "\(bytes.count)")
    if let violation = grammarViolation(head, requestWasHEAD: requestWasHEAD) {
        contractViolation("the parser accepted a head the grammar refuses: \(violation)", "head: \(escaped(bytes))")
    }
}

struct Refusal: Error, CustomStringConvertible {
    let description: String
}

/// The status line and fields of a response head: (status, HTTP minor version, fields), or what is wrong.
func parseStatusHead(_ bytes: [UInt8]) -> Result<(Int, Int, [Grammar.Field]), Refusal> {
    let parsed: Grammar.Head
    do { parsed = try Grammar.head(bytes) } catch { return .failure(Refusal(description: "\(error)")) }
    // status-line = HTTP-version SP status-code SP [ reason-phrase ]; the codec also takes no SP when the
    // reason is empty. The reason may hold HTAB, SP, VCHAR, obs-text (the line check excluded the rest).
    let line = parsed.startLine
    let s = line.lowerBound
    guard line.count >= 12, let minor = Grammar.httpVersionMinor(bytes, s..<(s + 8)) else {
        return .failure(Refusal(description: "status line does not start with HTTP/1.0 or HTTP/1.1"))
    }
    guard bytes[s + 8] == 0x20, (9...11).allSatisfy({ Grammar.isDigit(bytes[s + $0]) }) else {
        return .failure(Refusal(description: "no SP 3DIGIT after the version"))
    }
    guard line.count == 12 || bytes[s + 12] == 0x20 else {
        return .failure(Refusal(description: "status code not followed by SP or the end of the line"))
    }
    let status = (9...11).reduce(0) { $0 * 10 + Int(bytes[s + $1] - 0x30) }
    return .success((status, minor, parsed.fields))
}

/// What is wrong with an accepted final head per the rules ResponseHeadParser documents, or nil.
func grammarViolation(_ head: ResponseHead, requestWasHEAD: Bool) -> String? {
    let bytes = head.bytes
    let status: Int
    let minor: Int
    let parsed: [Grammar.Field]
    switch parseStatusHead(bytes) {
    case .failure(let refusal): return refusal.description
    case .success(let result): (status, minor, parsed) = result
    }
    guard status == head.status, (200...599).contains(status) else {
        return "status \(head.status) (line says \(status))"
    }
    guard (minor == 1) == (head.version == .http11) else { return "version differs from head.version" }
    let fields = parsed.map { HeaderField(name: $0.name, value: $0.value) }
    guard fields == head.fields else { return "fields \(head.fields) should be \(fields)" }
    func named(_ name: String) -> [HeaderField] { fields.filter { Grammar.equalsIgnoringCase(bytes, $0.name, name) } }

    // Framing, RFC 9112 6.3 as documented: HEAD/204/304 none; Transfer-Encoding: chunked if it is the final
    // coding (of all the fields' elements in order), else until close; else Content-Length (all copies
    // valid and equal, otherwise the head is invalid); else until close.
    let codingFields = named("transfer-encoding")
    let codings = codingFields.flatMap { Grammar.listElements(bytes, $0.value) }
    let lengths = named("content-length").map { Grammar.contentLength(bytes, $0.value) }
    let lengthsValid = !lengths.contains(nil) && Set(lengths.compactMap { $0 }).count <= 1
    var expected: BodyFraming
    if !codingFields.isEmpty {
        let last = codings.last
        let chunked = last.map { Grammar.equalsIgnoringCase(bytes, $0, "chunked") } ?? false
        expected = chunked ? .chunked : .untilClose
    } else if !lengthsValid {
        return "invalid or conflicting Content-Length accepted"
    } else if let length = lengths.first, let n = length {
        expected = .length(n)
    } else {
        expected = .untilClose
    }
    if requestWasHEAD || status == 204 || status == 304 { expected = .none }
    guard head.framing == expected else { return "framing \(head.framing) should be \(expected)" }

    // Reuse: 1.1 unless close; 1.0 only with keep-alive; never after a close-delimited body, nor when
    // Transfer-Encoding came in 1.0 or beside Content-Length.
    let options = named("connection").flatMap { Grammar.listElements(bytes, $0.value) }
    let close = options.contains { Grammar.equalsIgnoringCase(bytes, $0, "close") }
    let keepAliveOption = options.contains { Grammar.equalsIgnoringCase(bytes, $0, "keep-alive") }
    var reusable = head.version == .http11 ? !close : keepAliveOption && !close
    if !codingFields.isEmpty && (head.version == .http10 || !lengths.isEmpty) { reusable = false }
    if expected == .untilClose { reusable = false }
    guard head.keepAlive == reusable else { return "keepAlive \(head.keepAlive) should be \(reusable)" }
    return nil
}
