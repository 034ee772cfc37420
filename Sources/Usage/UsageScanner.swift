/// Counts the tokens one answer reports (SPEC 7) while its body is relayed, piece by piece, without
/// holding or delaying any of it.
///
/// Made per answer from its head (`UsageFormat`), then fed every decoded body piece in order
/// (`ForwardRelay.upstreamBody`: chunked framing already removed). `usage` can be read at any time:
/// after a stream cut short it holds what the events that arrived whole reported. The result does not
/// depend on how the body is cut into pieces. Memory is the value itself (a few hundred bytes, nothing
/// on the heap, nothing allocated per piece), whatever the body: garbage, a 100 MB event, deep nesting.
///
/// - A JSON answer is one JSON text; its top-level `usage` object is read (`prompt_tokens`,
///   `completion_tokens`, `input_tokens`, `output_tokens`, `cache_read_input_tokens`,
///   `prompt_tokens_details.cached_tokens`, `input_tokens_details.cached_tokens`).
/// - An event stream is read per the HTML living standard's SSE rules (CRLF, LF or CR line ends, a
///   leading BOM, `:` comments, fields other than `data` ignored, several `data:` lines of one event
///   joined by LF, one optional space after the colon). Each event's data is one JSON text read as
///   above, and `response.usage` (Responses API) and `message.usage` (Anthropic `message_start`) are
///   read too; `data: [DONE]`, `usage: null` and anything not an object count nothing.
/// - The last reported value of each field wins: vLLM's `continuous_usage_stats` (usage in every
///   chunk), the OpenAI usage chunk, Anthropic's `message_start` then cumulative `message_delta`.
/// - A value counts once the JSON text holding it is complete (its top-level object closed), so a
///   truncated or malformed text counts nothing. See `UsageJSONReader` for what is checked.
public struct UsageScanner: Sendable {
    /// The member-name buffer's capacity in bytes: all the scanner ever holds of the body.
    public static let bufferCapacity = UsageJSONReader.nameCapacity

    @usableFromInline var reader: UsageJSONReader
    private let format: UsageFormat?
    private var line = LineState.streamStart
    /// BOM bytes matched at the stream's start; `data` bytes matched at a line's start.
    private var matched = 0
    /// A CR ended the last line: an LF right after it belongs to it.
    private var afterCR = false
    /// `data:` lines in the current event so far.
    private var dataLines = 0

    /// A scanner for an answer in `format`; nil scans nothing (its `usage` stays empty).
    public init(format: UsageFormat?) {
        self.format = format
        self.reader = UsageJSONReader(lineDelimited: format == .eventStream)
    }

    /// A scanner for an answer with these head values (see `UsageFormat.init(contentType:contentEncoding:)`).
    public init(contentType: String?, contentEncoding: String? = nil) {
        self.init(format: UsageFormat(contentType: contentType, contentEncoding: contentEncoding))
    }

    /// What the answer has reported so far: the last value of each field.
    @inlinable public var usage: TokenUsage { reader.usage }

    /// Whether any field was reported.
    @inlinable public var sawUsage: Bool { !reader.usage.isEmpty }

    /// Whether the answer's format is one whose usage is read.
    public var isScanning: Bool { format != nil }

    /// Bytes of the body the scanner holds right now (a member name being read); never above
    /// `bufferCapacity`.
    public var bufferedBytes: Int { reader.bufferedBytes }

    /// Reads the next piece of the decoded body.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard let format, let base = bytes.baseAddress, bytes.count > 0 else { return }
        let pointer = base.assumingMemoryBound(to: UInt8.self)
        switch format {
        case .json:
            _ = reader.read(pointer, from: 0, to: bytes.count)
        case .eventStream:
            readEvents(pointer, count: bytes.count)
        }
    }

    /// Reads `bytes` as the next piece of the decoded body.
    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    // MARK: Server-sent events

    private enum LineState: UInt8 {
        /// Before the stream's first byte (a BOM may come).
        case streamStart
        /// Inside a BOM at the stream's start.
        case bom
        /// At the start of a line.
        case lineStart
        /// In a field name that is `data` so far (`matched` bytes of it).
        case fieldName
        /// After `data:`: one space may come.
        case valueStart
        /// In a `data:` line's value: the JSON reader's.
        case data
        /// In a line whose rest does not matter (a comment, another field).
        case ignoredLine
    }

    private mutating func readEvents(_ bytes: UnsafePointer<UInt8>, count: Int) {
        var index = 0
        if afterCR {
            afterCR = false
            if bytes[0] == 0x0A { index = 1 }
        }
        while index < count {
            let byte = bytes[index]
            switch line {
            case .streamStart:
                if byte == 0xEF {
                    matched = 1
                    index += 1
                    line = .bom
                } else {
                    line = .lineStart
                }
                continue
            case .bom:
                // U+FEFF is EF BB BF; bytes that start one but do not finish it start a field name.
                if byte == (matched == 1 ? 0xBB : 0xBF) {
                    index += 1
                    matched += 1
                    if matched == 3 { line = .lineStart }
                } else {
                    line = .ignoredLine
                }
                continue
            case .lineStart:
                if byte == 0x0A || byte == 0x0D {
                    // An empty line ends the event: the next one starts afresh.
                    reader.reset()
                    dataLines = 0
                    index = endLine(bytes, at: index, count: count)
                    continue
                }
                if byte == UInt8(ascii: "d") {
                    // `data:` whole in this piece (nearly always): straight to the value.
                    if index + 5 <= count,
                        UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt32.self)
                            == UInt32(littleEndian: 0x6174_6164),  // "data"
                        bytes[index + 4] == UInt8(ascii: ":")
                    {
                        index += 5
                        line = .valueStart
                        continue
                    }
                    matched = 1
                    line = .fieldName
                } else {
                    line = .ignoredLine
                }
                index += 1
            case .fieldName:
                if matched < 4 {
                    // `d` matched; then `a`, `t`, `a`.
                    if byte == (matched == 2 ? UInt8(ascii: "t") : UInt8(ascii: "a")) {
                        matched += 1
                        index += 1
                    } else {
                        line = .ignoredLine
                    }
                } else if byte == UInt8(ascii: ":") {
                    index += 1
                    line = .valueStart
                } else if byte == 0x0A || byte == 0x0D {
                    // `data` alone: a data line with an empty value.
                    startDataLine()
                    index = endLine(bytes, at: index, count: count)
                } else {
                    line = .ignoredLine
                }
            case .valueStart:
                if byte == 0x20 { index += 1 }
                startDataLine()
                line = .data
            case .data:
                index = reader.read(bytes, from: index, to: count)
                if index < count { index = endLine(bytes, at: index, count: count) }
            case .ignoredLine:
                index = firstLineEnd(bytes, from: index, to: count)
                if index < count { index = endLine(bytes, at: index, count: count) }
            }
        }
    }

    private mutating func startDataLine() {
        if dataLines > 0 { reader.separateLines() }
        dataLines += 1
    }

    /// Consumes the line end (CR, LF or CRLF) at `index`; returns the index after it.
    private mutating func endLine(_ bytes: UnsafePointer<UInt8>, at index: Int, count: Int) -> Int {
        line = .lineStart
        guard bytes[index] == 0x0D else { return index + 1 }
        if index + 1 < count {
            return bytes[index + 1] == 0x0A ? index + 2 : index + 1
        }
        // The LF of a CRLF may come with the next piece.
        afterCR = true
        return index + 1
    }
}
