import Testing
import Usage

/// Skipped containers read 64 and 32 bytes a window (the quotes' parity carried between windows, the
/// piece's last 32 bytes shifted for its tail): brackets, quotes, escapes and line ends on every
/// position of a window, in containers longer than several windows, whole and cut anywhere.
@Suite("UsageScanner: skipped containers across wide windows")
struct UsageWideSkipTests {
    /// A container of about 150 bytes whose strings hold brackets, escaped quotes and backslashes.
    static let container =
        #"[{"a":"]}\"]}[{","long":"\#(String(repeating: "ab}]", count: 12))","e":"\\","f":"\\\"[","g":[[["x"]]]},{"h":"}"}]"#

    @Test(arguments: 0..<70)
    func wholeAndCut(_ padding: Int) {
        let pad = String(repeating: "p", count: padding)
        let text = #"{"\#(pad)":1,"choices":\#(Self.container),"usage":{"prompt_tokens":7,"completion_tokens":3}}"#
        let expected = TokenUsage(input: 7, output: 3)
        let json = Array(text.utf8)
        let events = Array(("data: " + text + "\n\n").utf8)
        #expect(scan(json, .json).usage == expected, "\(text)")
        #expect(scan(events, .eventStream).usage == expected, "\(text)")
        // Cut in two at every offset: the skip resumes in or out of a string, after a `\` or not.
        for cut in 1..<json.count { #expect(scan(json, .json, pieces: [cut]).usage == expected, "cut \(cut)") }
        for cut in 1..<events.count {
            #expect(scan(events, .eventStream, pieces: [cut]).usage == expected, "cut \(cut)")
        }
        // One bracket fewer: the container never closes, the text never completes.
        let open = #"{"\#(pad)":1,"choices":\#(Self.container.dropLast()),"usage":{"prompt_tokens":7}}"#
        #expect(scan(Array(open.utf8), .json).usage == TokenUsage(), "\(open)")
    }

    /// In an event, a line end inside a skipped container ends the data line there (SSE): the event's
    /// JSON is cut short and counts nothing, whichever window the line end falls in; a string's `\`
    /// right before it included.
    @Test(arguments: [0, 1, 15, 16, 31, 32, 33, 63, 64, 65, 100])
    func lineEndInsideAContainer(_ offset: Int) {
        let filler = String(repeating: "q", count: offset)
        for inner in ["\"\(filler)\n\"", "\"\(filler)\\\n\"", "\(filler.isEmpty ? "" : "\"\(filler)\",")1\r2"] {
            let body = #"data: {"choices":[\#(inner)],"usage":{"prompt_tokens":7}}"# + "\n\n"
            #expect(scan(body, .eventStream) == TokenUsage(), "\(body.debugDescription)")
        }
        // Without the line end the same event counts.
        let whole = #"data: {"choices":["\#(filler)"],"usage":{"prompt_tokens":7}}"# + "\n\n"
        #expect(scan(whole, .eventStream) == TokenUsage(input: 7))
    }
}
