import Testing

@testable import HTTP1

/// Random inputs: the parsers never crash, never claim more bytes than they were given, and answer the same
/// whether the bytes come at once or trickle in.
@Suite("Properties")
struct PropertyTests {
    static let pieces: [[UInt8]] = [
        "GET", "POST", "HEAD", "OPTIONS", " ", "/", "/a?b", "*", "#", "\r\n", "\r\n\r\n", "\r", "\n", ":", ": ",
        "HTTP/1.1", "HTTP/1.0", "HTTP/1.1 200 OK", "HTTP/1.1 100 Continue", "Host", "Content-Length",
        "Transfer-Encoding",
        "chunked", "Connection", "close", "keep-alive", "0", "5", "ff", ";", "=", "\"", "\t", ",", "x",
    ].map { Array($0.utf8) }

    static func soup(_ rng: inout SplitMix) -> [UInt8] {
        var out: [UInt8] = []
        let parts = Int.random(in: 0..<40, using: &rng)
        for _ in 0..<parts {
            if Int.random(in: 0..<5, using: &rng) == 0 {
                out.append(UInt8.random(in: 0...255, using: &rng))
            } else {
                out += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
            }
        }
        return out
    }

    static let valid: [[UInt8]] = [
        bytes(request(["Content-Length: 5", "Connection: close"])),
        bytes("\r\n" + request(["Transfer-Encoding: chunked", "Expect: 100-continue"], line: "POST /a?b=c HTTP/1.1")),
        bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX: y\r\n\r\n"),
        bytes("5;a=b\r\nhello\r\n0\r\nT: v\r\n\r\n"),
    ]

    /// A valid message with one byte replaced, inserted or removed.
    static func mutant(_ rng: inout SplitMix) -> [UInt8] {
        var out = valid[Int.random(in: 0..<valid.count, using: &rng)]
        let at = Int.random(in: 0..<out.count, using: &rng)
        let byte =
            Int.random(in: 0..<2, using: &rng) == 0
            ? UInt8.random(in: 0...255, using: &rng)
            : pieces[Int.random(in: 0..<pieces.count, using: &rng)][0]
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: out[at] = byte
        case 1: out.insert(byte, at: at)
        default: out.remove(at: at)
        }
        return out
    }

    /// A comparable summary of a request parse.
    static func summary(_ result: RequestParse) -> String {
        switch result {
        case .needMore: return "needMore"
        case .refused(let refusal): return "refused \(refusal.status)"
        case .head(let head, let consumed):
            return "head \(consumed) \(head.bytes) \(head.fields) \(head.framing) \(head.keepAlive) \(head.target)"
        }
    }

    static func summary(_ result: ResponseParse) -> String {
        switch result {
        case .needMore: return "needMore"
        case .invalid: return "invalid"
        case .interim(let consumed): return "interim \(consumed)"
        case .head(let head, let consumed):
            return "head \(consumed) \(head.bytes) \(head.fields) \(head.framing) \(head.keepAlive) \(head.status)"
        }
    }

    static func check(_ input: [UInt8], _ rng: inout SplitMix) {
        let limits = HeadLimits(maxHeadBytes: 200, maxBodyBytes: 100, maxFields: 8)
        // Requests: one shot versus random-sized growing prefixes.
        let whole = parseRequest(input, limits: limits)
        if let consumed = whole.consumed { #expect(consumed <= input.count) }
        var parser = RequestHeadParser(limits: limits)
        var end = 0
        var trickled = RequestParse.needMore
        while true {
            end = min(input.count, end + Int.random(in: 1...8, using: &rng))
            trickled = input[..<end].withUnsafeBytes { parser.parse($0) }
            if case .needMore = trickled, end < input.count { continue }
            break
        }
        // A head found early in a prefix is also the head of the whole buffer (consumed never reaches past it).
        #expect(summary(trickled) == summary(whole))

        let response = parseResponse(input, maxHeadBytes: 200)
        if let consumed = response.consumed { #expect(consumed <= input.count) }
        var responses = ResponseHeadParser(maxHeadBytes: 200)
        end = 0
        var trickledResponse = ResponseParse.needMore
        while true {
            end = min(input.count, end + Int.random(in: 1...8, using: &rng))
            trickledResponse = input[..<end].withUnsafeBytes { responses.parse($0, requestWasHEAD: false) }
            if case .needMore = trickledResponse, end < input.count { continue }
            break
        }
        #expect(summary(trickledResponse) == summary(response))

        // Bodies: `drain` checks that consumed and data ranges stay in bounds.
        for framing in [BodyFraming.chunked, .length(7), .untilClose] {
            let once = decode(framing, input, max: 64)
            #expect(once.consumed <= input.count)
        }
    }

    @Test func randomSoups() {
        var rng = SplitMix(state: 0x5EED)
        for _ in 0..<1500 { Self.check(Self.soup(&rng), &rng) }
    }

    @Test func mutatedMessages() {
        var rng = SplitMix(state: 0xFACE)
        for _ in 0..<1500 { Self.check(Self.mutant(&rng), &rng) }
    }

    @Test func randomChunkedSplits() {
        // Random valid chunked bodies cut into random pieces decode to the same payload.
        var rng = SplitMix(state: 0xC0FFEE)
        for _ in 0..<200 {
            var payload: [UInt8] = []
            var wire: [UInt8] = []
            for _ in 0..<Int.random(in: 0..<5, using: &rng) {
                let size = Int.random(in: 1..<40, using: &rng)
                let data = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
                payload += data
                wire +=
                    bytes(String(size, radix: 16) + (Bool.random(using: &rng) ? ";x=y" : "") + "\r\n") + data
                    + bytes("\r\n")
            }
            wire += bytes("0\r\n\r\n")
            var decoder = BodyDecoder(framing: .chunked)
            var pending: [UInt8] = []
            var got: [UInt8] = []
            var offset = 0
            var last = BodyEvent.needMore
            while offset < wire.count {
                let take = min(wire.count - offset, Int.random(in: 1...16, using: &rng))
                pending += wire[offset..<(offset + take)]
                offset += take
                let step = drain(&decoder, pending)
                pending.removeFirst(step.consumed)
                got += step.payload
                last = step.last
            }
            #expect(got == payload)
            #expect(last == .end)
            #expect(pending.isEmpty)
        }
    }
}
