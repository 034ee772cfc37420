import Testing
import Usage

@Suite("UsageScanner: bounded memory")
struct UsageScannerLimitTests {
    /// Feeds `pieces` one after the other, checking the buffer's cap after each.
    func feedChecked(_ scanner: inout UsageScanner, _ pieces: [[UInt8]]) {
        for piece in pieces {
            scanner.feed(piece)
            #expect(scanner.bufferedBytes <= UsageScanner.bufferCapacity)
        }
    }

    @Test func theScannerIsASmallValue() {
        // Everything it holds is inline: no heap, whatever the body.
        #expect(MemoryLayout<UsageScanner>.size <= 256)
        #expect(UsageScanner.bufferCapacity == 32)
    }

    @Test(arguments: [UsageFormat.json, .eventStream])
    func aHundredMegabyteValue(_ format: UsageFormat) {
        // One 100 MB string (text with escapes and UTF-8) fed in 64 KiB pieces, then the usage.
        let prefix = Array((format == .eventStream ? "data: " : "").utf8) + Array(#"{"choices":[{"text":""#.utf8)
        let piece = Array(String(repeating: #"ab\"cd\\ é 😀 "#, count: 4096).utf8)
        let suffix = Array(#""}],"usage":{"prompt_tokens":1,"completion_tokens":100000000}}"#.utf8)
        var scanner = UsageScanner(format: format)
        feedChecked(&scanner, [prefix])
        var fed = 0
        while fed < 100_000_000 {
            feedChecked(&scanner, [piece])
            fed += piece.count
        }
        feedChecked(&scanner, [suffix, Array("\n\n".utf8)])
        #expect(scanner.usage == TokenUsage(input: 1, output: 100_000_000))
    }

    @Test func anOversizedEventThenARegularOne() {
        // A 10 MB event that never closes its JSON (an unclosed string), then a normal usage event.
        var scanner = UsageScanner(format: .eventStream)
        let junk = Array(String(repeating: "x", count: 1 << 20).utf8)
        feedChecked(&scanner, [Array(#"data: {"usage":{"prompt_tokens":5,"id":"#.utf8)])
        for _ in 0..<10 { feedChecked(&scanner, [junk]) }
        feedChecked(&scanner, [Array("\n\ndata: {\"usage\":{\"completion_tokens\":7}}\n\n".utf8)])
        #expect(scanner.usage == TokenUsage(output: 7))
    }

    @Test func aHugeMemberName() {
        // A name of a megabyte never fills more than the buffer, and never matches.
        var scanner = UsageScanner(format: .json)
        feedChecked(&scanner, [Array(#"{"usage":{""#.utf8)])
        for _ in 0..<16 { feedChecked(&scanner, [Array(repeating: UInt8(ascii: "u"), count: 65536)]) }
        #expect(scanner.bufferedBytes == UsageScanner.bufferCapacity)
        feedChecked(&scanner, [Array(#"":1,"prompt_tokens":2}}"#.utf8)])
        #expect(scanner.usage == TokenUsage(input: 2))
        #expect(scanner.bufferedBytes <= UsageScanner.bufferCapacity)
    }

    @Test(arguments: [UsageFormat.json, .eventStream])
    func deepNesting(_ format: UsageFormat) {
        // A million open brackets in a skipped value, closed again, then the usage: counted, in
        // constant memory (the skipped value's depth is a counter).
        let depth = 1_000_000
        var body = Array((format == .eventStream ? "data: " : "").utf8) + Array(#"{"a":"#.utf8)
        for level in 0..<depth { body.append(level % 2 == 0 ? UInt8(ascii: "[") : UInt8(ascii: "{")) }
        // Odd levels are objects: give each a member so it is not `{]`-shaped (the skip does not mind).
        for level in (0..<depth).reversed() { body.append(level % 2 == 0 ? UInt8(ascii: "]") : UInt8(ascii: "}")) }
        body += Array(#","usage":{"prompt_tokens":3}}"#.utf8) + Array("\n\n".utf8)
        var scanner = UsageScanner(format: format)
        var offset = 0
        while offset < body.count {
            let end = min(offset + 4096, body.count)
            feedChecked(&scanner, [Array(body[offset..<end])])
            offset = end
        }
        #expect(scanner.usage == TokenUsage(input: 3))
    }

    @Test func deepNestingThatNeverCloses() {
        var scanner = UsageScanner(format: .json)
        feedChecked(&scanner, [Array(#"{"usage":{"prompt_tokens":3},"a":"#.utf8)])
        for _ in 0..<64 { feedChecked(&scanner, [Array(repeating: UInt8(ascii: "["), count: 65536)]) }
        #expect(scanner.usage == TokenUsage())
    }

    @Test(arguments: 0..<8)
    func randomGarbageNeverTraps(_ seed: Int) {
        // Bytes drawn mostly from JSON's and SSE's own tokens, in random pieces: no trap, the cap holds,
        // and one feed and the pieces agree.
        var random = SplitMix(seed: UInt64(seed))
        let tokens: [[UInt8]] = [
            "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u00", "usage", "\"usage\":", "\"prompt_tokens\":", "1", "-",
            "0", "e", ".", "null", "true", "data: ", "data:", "\n", "\r", "\r\n", "\n\n", ": x", " ", "\u{FEFF}",
            "\"response\":", "\"message\":", "\"cached_tokens\":", "\"input_tokens_details\":", "é",
        ].map { Array($0.utf8) }
        for format in [UsageFormat.json, .eventStream] {
            for _ in 0..<50 {
                var body: [UInt8] = []
                for _ in 0..<Int(random.next() % 200) {
                    if random.next() % 8 == 0 {
                        body.append(UInt8(truncatingIfNeeded: random.next()))
                    } else {
                        body += tokens[Int(random.next() % UInt64(tokens.count))]
                    }
                }
                let whole = scan(body, format).usage
                var scanner = UsageScanner(format: format)
                var offset = 0
                while offset < body.count {
                    let end = min(offset + 1 + Int(random.next() % 7), body.count)
                    feedChecked(&scanner, [Array(body[offset..<end])])
                    offset = end
                }
                #expect(scanner.usage == whole, "\(format): \(body)")
            }
        }
    }
}

/// SplitMix64: deterministic randomness for the tests.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
