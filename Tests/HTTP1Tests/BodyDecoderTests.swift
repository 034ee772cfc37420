import Testing

@testable import HTTP1

@Suite("BodyDecoder")
struct BodyDecoderTests {
    /// Holds a decoder by reference so `#expect` can call its mutating members.
    final class Feeder {
        var decoder: BodyDecoder
        init(_ framing: BodyFraming, max: Int? = nil) { decoder = BodyDecoder(framing: framing, maxBodyBytes: max) }
        func callAsFunction(_ text: String) -> BodyStep { bytes(text).withUnsafeBytes { decoder.next($0) } }
        func close() -> Bool { decoder.finishAtClose() }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var input: String
        /// The payload, or nil when the body must be refused as invalid.
        var payload: String?
        var testDescription: String { label }
    }

    static let chunk68 = String(repeating: "x", count: 0x44)

    static let chunkedRows: [Row] = [
        Row(label: "one chunk", input: "5\r\nhello\r\n0\r\n\r\n", payload: "hello"),
        Row(label: "two chunks", input: "5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n", payload: "hello!"),
        Row(label: "empty body", input: "0\r\n\r\n", payload: ""),
        Row(label: "leading zeros", input: "005\r\nhello\r\n000\r\n\r\n", payload: "hello"),
        Row(label: "uppercase hex", input: "A\r\n0123456789\r\n0\r\n\r\n", payload: "0123456789"),
        Row(label: "lowercase hex", input: "a\r\n0123456789\r\n0\r\n\r\n", payload: "0123456789"),
        Row(label: "44;ext=1", input: "44;ext=1\r\n\(chunk68)\r\n0\r\n\r\n", payload: chunk68),
        Row(label: "44 ; a=\"b c\"", input: "44 ; a=\"b c\"\r\n\(chunk68)\r\n0\r\n\r\n", payload: chunk68),
        Row(label: "extension without value", input: "5;flag\r\nhello\r\n0\r\n\r\n", payload: "hello"),
        Row(label: "several extensions", input: "5;a=1;b;c=\"x\\\"y\"\r\nhello\r\n0;last\r\n\r\n", payload: "hello"),
        Row(label: "extension with BWS around =", input: "5;a = 1\r\nhello\r\n0\r\n\r\n", payload: "hello"),
        Row(label: "trailer fields", input: "5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Other:\t1\r\n\r\n", payload: "hello"),
        Row(label: "data with CR LF inside", input: "4\r\n\r\n\r\n\r\n0\r\n\r\n", payload: "\r\n\r\n"),
        Row(label: "0x44", input: "0x44\r\n\(chunk68)\r\n0\r\n\r\n", payload: nil),
        Row(label: "+44", input: "+44\r\n\(chunk68)\r\n0\r\n\r\n", payload: nil),
        Row(label: "space 44", input: " 44\r\n\(chunk68)\r\n0\r\n\r\n", payload: nil),
        Row(label: "44 space", input: "44 \r\n\(chunk68)\r\n0\r\n\r\n", payload: nil),
        Row(label: "-1", input: "-1\r\n\r\n", payload: nil),
        Row(label: "empty size", input: "\r\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "size with letters", input: "5g\r\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "16 hex digits", input: "0000000000000005\r\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "15 hex digits", input: "000000000000005\r\nhello\r\n0\r\n\r\n", payload: "hello"),
        Row(label: "semicolon without name", input: "5;\r\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "extension = without value", input: "5;a=\r\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "unterminated quote", input: "5;a=\"b\r\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "extension trailing space", input: "5;a=b \r\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "extension bad name", input: "5;(a)\r\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "bare LF after size", input: "5\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "bare CR after size", input: "5\rhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "NUL in size line", input: "5\u{0}\r\nhello\r\n0\r\n\r\n", payload: nil),
        Row(label: "data too long", input: "5\r\nhelloX\r\n0\r\n\r\n", payload: nil),
        Row(label: "data then LF only", input: "5\r\nhello\n0\r\n\r\n", payload: nil),
        Row(label: "data then CR only", input: "5\r\nhello\r0\r\n\r\n", payload: nil),
        Row(label: "bad trailer field", input: "5\r\nhello\r\n0\r\nBad Name: x\r\n\r\n", payload: nil),
        Row(label: "trailer obs-fold", input: "0\r\nX: a\r\n b\r\n\r\n", payload: nil),
        Row(label: "trailer bare LF", input: "0\r\nX: a\n\r\n", payload: nil),
        Row(
            label: "trailer too large",
            input: "0\r\nX: " + String(repeating: "a", count: 8200) + "\r\n\r\n",
            payload: nil
        ),
        Row(
            label: "size line too long",
            input: "5;a=" + String(repeating: "b", count: 4100) + "\r\nhello\r\n0\r\n\r\n",
            payload: nil
        ),
        Row(
            label: "size line just under 4 KiB",
            input: "5;a=" + String(repeating: "b", count: 4090) + "\r\nhello\r\n0\r\n\r\n",
            payload: "hello"
        ),
    ]

    @Test(arguments: chunkedRows)
    func chunked(_ row: Row) {
        let input = bytes(row.input)
        let result = decode(.chunked, input)
        if let payload = row.payload {
            #expect(result.last == .end, "got \(result.last)")
            #expect(result.payload == bytes(payload))
            #expect(result.consumed == input.count)
        } else {
            guard case .invalid = result.last else {
                Issue.record("expected invalid, got \(result.last)")
                return
            }
        }
    }

    @Test func chunkedEndLeavesTheNextMessage() {
        let result = decode(.chunked, bytes("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n"))
        #expect(result.last == .end)
        #expect(result.payload == bytes("abc"))
        #expect(result.consumed == 13)
    }

    @Test func chunkedPartialInput() {
        let feed = Feeder(.chunked)
        // A partial size line is not consumed.
        #expect(feed("4") == BodyStep(consumed: 0, event: .needMore))
        #expect(feed("4\r") == BodyStep(consumed: 0, event: .needMore))
        // Data is reported as soon as some of it is here.
        #expect(feed("4\r\nab") == BodyStep(consumed: 5, event: .data(3..<5)))
        #expect(feed("") == BodyStep(consumed: 0, event: .needMore))
        #expect(feed("cd\r") == BodyStep(consumed: 2, event: .data(0..<2)))
        #expect(feed("\r") == BodyStep(consumed: 0, event: .needMore))
        // CRLF and the next size line are framing: consumed together with the data that follows.
        #expect(feed("\r\n2\r\nef") == BodyStep(consumed: 7, event: .data(5..<7)))
        #expect(feed("\r\n0\r\nX: y\r") == BodyStep(consumed: 5, event: .needMore))
        #expect(!feed.decoder.isComplete)
        #expect(feed("X: y\r\n\r\n") == BodyStep(consumed: 8, event: .end))
        #expect(feed.decoder.isComplete)
        #expect(feed("more") == BodyStep(consumed: 0, event: .end))
        #expect(feed.close())
    }

    static let splitBodies: [String] = [
        "5\r\nhello\r\n0\r\n\r\n",
        "1a;ext=\"q\\\"x\"\r\nabcdefghijklmnopqrstuvwxyz\r\n3\r\n\r\n\r\r\n0;end\r\nTrailer-A: 1\r\nB:\r\n\r\n",
        "1\r\nA\r\n1\r\nB\r\n2\r\nCD\r\n0\r\n\r\n",
    ]

    @Test(arguments: splitBodies)
    func chunkedEverySplitPoint(_ text: String) {
        let input = bytes(text)
        let whole = decode(.chunked, input)
        #expect(whole.last == .end)
        // Two pieces split at every offset, like two reads.
        for split in 0...input.count {
            var decoder = BodyDecoder(framing: .chunked)
            var pending = Array(input[..<split])
            let first = drain(&decoder, pending)
            pending.removeFirst(first.consumed)
            pending += input[split...]
            let second = drain(&decoder, pending)
            #expect(first.payload + second.payload == whole.payload, "split at \(split)")
            #expect(first.consumed + second.consumed == input.count, "split at \(split)")
            #expect(second.last == .end, "split at \(split)")
        }
        // Byte by byte, the buffer growing until consumed.
        var decoder = BodyDecoder(framing: .chunked)
        var pending: [UInt8] = []
        var payload: [UInt8] = []
        var last = BodyEvent.needMore
        for byte in input {
            pending.append(byte)
            let step = drain(&decoder, pending)
            pending.removeFirst(step.consumed)
            payload += step.payload
            last = step.last
            if last != .needMore && last != .end { break }
        }
        #expect(payload == whole.payload)
        #expect(last == .end)
        #expect(pending.isEmpty)
    }

    @Test func chunkedTooLarge() {
        #expect(decode(.chunked, bytes("5\r\nhello\r\n0\r\n\r\n"), max: 5).last == .end)
        #expect(decode(.chunked, bytes("5\r\nhello\r\n0\r\n\r\n"), max: 4).last == .tooLarge)
        let twoChunks = decode(.chunked, bytes("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"), max: 5)
        #expect(twoChunks.last == .tooLarge)
        #expect(twoChunks.payload == bytes("abc"))
        // A huge declared size is refused before any of it arrives.
        #expect(decode(.chunked, bytes("fffffffffffffff\r\n"), max: 1 << 20).last == .tooLarge)
    }

    @Test func contentLength() {
        let feed = Feeder(.length(5), max: 10)
        #expect(feed("") == BodyStep(consumed: 0, event: .needMore))
        #expect(feed("he") == BodyStep(consumed: 2, event: .data(0..<2)))
        #expect(!feed.decoder.isComplete)
        #expect(!feed.close())
        #expect(feed("lloGET") == BodyStep(consumed: 3, event: .data(0..<3)))
        #expect(feed.decoder.isComplete)
        #expect(feed("GET") == BodyStep(consumed: 0, event: .end))
        let drained = decode(.length(5), bytes("helloGET"))
        #expect(drained == Drained(payload: bytes("hello"), consumed: 5, last: .end))
    }

    @Test func emptyBodies() {
        for framing in [BodyFraming.none, .length(0)] {
            let feed = Feeder(framing, max: 0)
            #expect(feed.decoder.isComplete)
            #expect(feed("GET") == BodyStep(consumed: 0, event: .end))
            #expect(feed("") == BodyStep(consumed: 0, event: .end))
        }
    }

    @Test func lengthOverTheLimit() {
        #expect(decode(.length(11), bytes("hello"), max: 10).last == .tooLarge)
        #expect(decode(.length(-1), bytes("hello")).last == .invalid("negative Content-Length"))
    }

    @Test func untilClose() {
        let feed = Feeder(.untilClose)
        #expect(feed("abc") == BodyStep(consumed: 3, event: .data(0..<3)))
        #expect(feed("") == BodyStep(consumed: 0, event: .needMore))
        #expect(!feed.decoder.isComplete)
        #expect(feed.close())
        #expect(feed.decoder.isComplete)
        #expect(feed("") == BodyStep(consumed: 0, event: .end))
        #expect(decode(.untilClose, bytes("abcdef"), max: 5).last == .tooLarge)
        let chunked = Feeder(.chunked)
        #expect(!chunked.close())
    }

    @Test func failureIsSticky() {
        let feed = Feeder(.chunked)
        guard case .invalid = feed("zz\r\n").event else {
            Issue.record("expected invalid")
            return
        }
        guard case .invalid = feed("5\r\nhello\r\n").event else {
            Issue.record("expected invalid to stay")
            return
        }
    }
}
