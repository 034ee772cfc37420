/// Decodes a body framed by Content-Length, chunked coding or connection close, without copying:
/// it reports ranges of the input that are payload. One per message.
///
/// Chunked coding (RFC 9112 section 7.1): chunk-size is 1*HEXDIG (at most 15 digits), optionally followed by
/// chunk extensions `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`, which are validated and
/// ignored; the line is at most 4 KiB. Chunk data must be followed by exactly CRLF. The last chunk (`0`) is
/// followed by trailer field lines (validated like header fields, discarded, 8 KiB in all) and an empty line.
/// Framing bytes are consumed as soon as they are complete; a partial line is left unconsumed (and the
/// decoder remembers how far it looked, so trickled input stays linear).
public struct BodyDecoder: Sendable {
    /// Longest chunk-size line, CRLF included.
    static let maxChunkLine = 4096
    /// Largest trailer section, final CRLF included.
    static let maxTrailer = 8192

    private enum State: Sendable, Equatable {
        case length(remaining: Int)
        case untilClose
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailer
        case done
        case failed(BodyEvent)
    }

    private var state: State
    private let maxBodyBytes: Int
    /// Payload bytes reported so far.
    private var decoded = 0
    /// How many bytes of the pending (unconsumed) line were already scanned.
    private var lineScanned = 0
    private var trailerBytes = 0

    /// `maxBodyBytes`: nil = unlimited (responses).
    public init(framing: BodyFraming, maxBodyBytes: Int? = nil) {
        self.maxBodyBytes = maxBodyBytes ?? Int.max
        switch framing {
        case .none: state = .done
        case .length(let n) where n < 0: state = .failed(.invalid("negative Content-Length"))
        case .length(let n) where n > self.maxBodyBytes: state = .failed(.tooLarge)
        case .length(0): state = .done
        case .length(let n): state = .length(remaining: n)
        case .chunked: state = .chunkSize
        case .untilClose: state = .untilClose
        }
    }

    /// Whether the whole body has been seen (the next call to `next` answers `.end`).
    public var isComplete: Bool { state == .done }

    /// For `.untilClose`: the peer closed; true if that ends the body correctly. For other framings the close
    /// ends nothing, so the answer is whether the body had already ended (`isComplete`).
    public mutating func finishAtClose() -> Bool {
        if state == .untilClose { state = .done }
        return state == .done
    }

    /// Looks at `input` (the unconsumed bytes) and says what its first `consumed` bytes are.
    /// The caller handles the event, drops `consumed` bytes, and calls again until `.needMore` or `.end`.
    public mutating func next(_ input: UnsafeRawBufferPointer) -> BodyStep {
        let count = input.count
        switch state {
        case .done:
            return BodyStep(consumed: 0, event: .end)
        case .failed(let event):
            return BodyStep(consumed: 0, event: event)
        case .length(let remaining):
            if count == 0 { return BodyStep(consumed: 0, event: .needMore) }
            let take = min(count, remaining)
            decoded &+= take
            state = take == remaining ? .done : .length(remaining: remaining &- take)
            return BodyStep(consumed: take, event: .data(0..<take))
        case .untilClose:
            if count == 0 { return BodyStep(consumed: 0, event: .needMore) }
            if count > maxBodyBytes &- decoded { return fail(.tooLarge, consumed: 0) }
            decoded &+= count
            return BodyStep(consumed: count, event: .data(0..<count))
        case .chunkSize, .chunkData, .chunkDataEnd, .trailer:
            guard let raw = input.baseAddress, count > 0 else { return BodyStep(consumed: 0, event: .needMore) }
            return chunked(raw.assumingMemoryBound(to: UInt8.self), count)
        }
    }

    private mutating func fail(_ event: BodyEvent, consumed: Int) -> BodyStep {
        state = .failed(event)
        return BodyStep(consumed: consumed, event: event)
    }

    private mutating func invalid(_ why: StaticString, consumed: Int) -> BodyStep {
        fail(.invalid("\(why)"), consumed: consumed)
    }

    /// Runs the chunked state machine over `p[0..<count]` until it has payload to report or needs more.
    private mutating func chunked(_ p: UnsafePointer<UInt8>, _ count: Int) -> BodyStep {
        var offset = 0
        while true {
            switch state {
            case .chunkSize:
                let end = min(count, offset &+ Self.maxChunkLine)
                switch ASCII.findLineEnd(p, from: offset &+ lineScanned, end: end) {
                case .partial(let resume):
                    if count &- offset >= Self.maxChunkLine { return invalid("chunk-size line too long", consumed: 0) }
                    lineScanned = resume &- offset
                    return BodyStep(consumed: offset, event: .needMore)
                case .found(let cr):
                    let size = Self.chunkSize(p, offset..<cr)
                    if size < 0 { return invalid("invalid chunk-size line", consumed: 0) }
                    lineScanned = 0
                    offset = cr &+ 2
                    if size == 0 {
                        state = .trailer
                    } else {
                        if size > maxBodyBytes &- decoded { return fail(.tooLarge, consumed: 0) }
                        state = .chunkData(remaining: size)
                    }
                case .bareCR, .bareLF, .control:
                    return invalid("invalid byte in chunk-size line", consumed: 0)
                }
            case .chunkData(let remaining):
                let available = count &- offset
                if available == 0 { return BodyStep(consumed: offset, event: .needMore) }
                // Report what is here now: a large chunk streams through without waiting for its end.
                let take = min(available, remaining)
                decoded &+= take
                state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining &- take)
                return BodyStep(consumed: offset &+ take, event: .data(offset..<(offset &+ take)))
            case .chunkDataEnd:
                // RFC 9112 7.1: chunk-data is followed by exactly CRLF.
                let available = count &- offset
                if available == 0 || (available == 1 && p[offset] == ASCII.cr) {
                    return BodyStep(consumed: offset, event: .needMore)
                }
                guard p[offset] == ASCII.cr, p[offset &+ 1] == ASCII.lf else {
                    return invalid("chunk data not followed by CRLF", consumed: 0)
                }
                offset &+= 2
                state = .chunkSize
            case .trailer:
                // RFC 9112 7.1.2: trailer fields, here validated and dropped; the proxy forwards none.
                let room = Self.maxTrailer &- trailerBytes
                let end = min(count, offset &+ room)
                switch ASCII.findLineEnd(p, from: offset &+ lineScanned, end: end) {
                case .partial(let resume):
                    if count &- offset >= room { return invalid("trailer section too large", consumed: 0) }
                    lineScanned = resume &- offset
                    return BodyStep(consumed: offset, event: .needMore)
                case .found(let cr):
                    lineScanned = 0
                    trailerBytes &+= cr &+ 2 &- offset
                    if cr == offset {
                        state = .done
                        return BodyStep(consumed: cr &+ 2, event: .end)
                    }
                    if case .invalid = FieldLine.parse(p, offset..<cr) {
                        return invalid("invalid trailer field line", consumed: 0)
                    }
                    offset = cr &+ 2
                case .bareCR, .bareLF, .control:
                    return invalid("invalid byte in trailer section", consumed: 0)
                }
            case .length, .untilClose, .done, .failed:
                // Not reachable from `next`; answer as it would.
                return BodyStep(consumed: offset, event: .needMore)
            }
        }
    }

    /// The chunk size of `p[line]` (a chunk-size line without CRLF), or -1 if the line is malformed.
    static func chunkSize(_ p: UnsafePointer<UInt8>, _ line: Range<Int>) -> Int {
        let end = line.upperBound
        var i = line.lowerBound
        var size = 0
        while i < end {
            let digit = ASCII.hexValue(p[i])
            if digit < 0 { break }
            // 15 hex digits stay below 2^60: no overflow, and no one sends an exabyte chunk.
            if i &- line.lowerBound >= 15 { return -1 }
            size = size << 4 | digit
            i &+= 1
        }
        if i == line.lowerBound { return -1 }
        // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ). Whitespace is allowed
        // only around ";" and "=", so trailing whitespace on the line is malformed.
        while i < end {
            i = skipOWS(p, i, end)
            guard i < end, p[i] == ASCII.semicolon else { return -1 }
            i = skipOWS(p, i &+ 1, end)
            let nameStart = i
            while i < end && ASCII.isToken(p[i]) { i &+= 1 }
            if i == nameStart { return -1 }
            let afterName = skipOWS(p, i, end)
            guard afterName < end, p[afterName] == ASCII.equals else { continue }
            i = skipOWS(p, afterName &+ 1, end)
            guard i < end else { return -1 }
            if p[i] == ASCII.quote {
                i = quotedStringEnd(p, i, end)
                if i < 0 { return -1 }
            } else {
                let valueStart = i
                while i < end && ASCII.isToken(p[i]) { i &+= 1 }
                if i == valueStart { return -1 }
            }
        }
        return size
    }

    @inline(__always)
    private static func skipOWS(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        var i = from
        while i < end && ASCII.isOWS(p[i]) { i &+= 1 }
        return i
    }

    /// The index after the quoted-string starting at `p[start]` (a DQUOTE), or -1 (RFC 9110 section 5.6.4).
    private static func quotedStringEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        // Control bytes other than HTAB were refused by the line scan, so every other byte is qdtext,
        // obs-text or quoted-pair material.
        var i = start &+ 1
        while i < end {
            let byte = p[i]
            if byte == ASCII.quote { return i &+ 1 }
            i &+= byte == ASCII.backslash ? 2 : 1
        }
        return -1
    }
}
