/// Splits a message head into lines incrementally (RFC 9112 section 2.2), remembering how far it scanned so
/// that a head fed byte by byte costs O(total bytes). Positions are indices into the caller's buffer, whose
/// prefix must not change between calls.
struct HeadLines: Sendable {
    /// How many empty lines may precede the start line. RFC 9112 2.2 asks servers to ignore "at least one";
    /// a few cover clients that send CRLF after a body, and a bound stops a stream of CRLFs.
    static let maxLeadingEmptyLines = 8

    /// One line (or the lack of one) out of `next`.
    enum Line {
        /// The start line (request line or status line), without its CRLF.
        case start(Range<Int>)
        /// A field line, without its CRLF.
        case field(Range<Int>)
        /// The empty line ending the head; the associated value is the index just after its CRLF.
        case end(Int)
        case needMore
        /// No end of head within the limit.
        case tooLarge
        case invalid(StaticString)
    }

    /// Where the start line begins (after skipped empty lines): the head's index 0.
    private(set) var headStart = 0
    /// The next byte to examine.
    private var position = 0
    /// Where the current line begins.
    private var lineStart = 0
    private var emptyLines = 0
    private var sawStartLine = false

    /// The next complete line of `p[0..<count]`, looking no further than `maxHeadBytes` past `headStart`.
    @inline(__always)
    mutating func next(_ p: UnsafePointer<UInt8>, count: Int, maxHeadBytes: Int) -> Line {
        while true {
            // The limit counts from the start line (RFC 9112 2.2's empty lines are not part of the head).
            let room = count &- headStart
            let end = room > maxHeadBytes ? headStart &+ maxHeadBytes : count
            switch ASCII.findLineEnd(p, from: position, end: end) {
            case .partial(let resume):
                position = resume
                // Known as soon as maxHeadBytes bytes are here without the end: do not wait for more.
                return room >= maxHeadBytes ? .tooLarge : .needMore
            case .found(let cr):
                let start = lineStart
                lineStart = cr &+ 2
                position = lineStart
                if !sawStartLine {
                    if cr == start {
                        emptyLines &+= 1
                        if emptyLines > Self.maxLeadingEmptyLines {
                            return .invalid("too many empty lines before the head")
                        }
                        headStart = lineStart
                        continue
                    }
                    sawStartLine = true
                    return .start(start..<cr)
                }
                return cr == start ? .end(lineStart) : .field(start..<cr)
            case .bareCR:
                return .invalid("bare CR")
            case .bareLF:
                return .invalid("bare LF (lines must end in CRLF)")
            case .control:
                return .invalid("control byte in head")
            }
        }
    }
}
