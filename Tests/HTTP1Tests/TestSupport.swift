@testable import HTTP1

/// Limits used unless a test says otherwise.
let testLimits = HeadLimits(maxHeadBytes: 8192, maxBodyBytes: 1_000_000)

/// The UTF-8 bytes of `text` (non-ASCII scalars become multi-byte obs-text, which is what the tests want).
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A GET head with `Host` and the given extra field lines (each without CRLF).
func request(_ fields: [String], line: String = "GET / HTTP/1.1", host: Bool = true) -> String {
    var text = line + "\r\n"
    if host { text += "Host: example.com\r\n" }
    for field in fields { text += field + "\r\n" }
    return text + "\r\n"
}

/// Parses `input` in one call with a fresh parser.
func parseRequest(_ input: [UInt8], limits: HeadLimits = testLimits) -> RequestParse {
    var parser = RequestHeadParser(limits: limits)
    return input.withUnsafeBytes { parser.parse($0) }
}

/// Parses `input` in one call with a fresh parser.
func parseResponse(_ input: [UInt8], head: Bool = false, maxHeadBytes: Int = 8192) -> ResponseParse {
    var parser = ResponseHeadParser(maxHeadBytes: maxHeadBytes)
    return input.withUnsafeBytes { parser.parse($0, requestWasHEAD: head) }
}

extension RequestParse {
    var head: RequestHead? {
        if case .head(let head, _) = self { return head }
        return nil
    }
    var consumed: Int? {
        if case .head(_, let consumed) = self { return consumed }
        return nil
    }
    var refusal: RequestRefusal? {
        if case .refused(let refusal) = self { return refusal }
        return nil
    }
    var isNeedMore: Bool {
        if case .needMore = self { return true }
        return false
    }
}

extension ResponseParse {
    var head: ResponseHead? {
        if case .head(let head, _) = self { return head }
        return nil
    }
    var consumed: Int? {
        switch self {
        case .head(_, let consumed), .interim(let consumed): return consumed
        default: return nil
        }
    }
    var isInvalid: Bool {
        if case .invalid = self { return true }
        return false
    }
    var isInterim: Bool {
        if case .interim = self { return true }
        return false
    }
    var isNeedMore: Bool {
        if case .needMore = self { return true }
        return false
    }
}

/// What draining a `BodyDecoder` over one buffer produced.
struct Drained: Equatable {
    var payload: [UInt8] = []
    var consumed = 0
    /// The event that stopped the drain: `.end`, `.needMore`, `.invalid` or `.tooLarge`.
    var last: BodyEvent = .needMore
}

/// Calls `decoder.next` until it stops, dropping consumed bytes like a connection would.
func drain(_ decoder: inout BodyDecoder, _ input: [UInt8]) -> Drained {
    var result = Drained()
    var rest = input[...]
    while true {
        let step = rest.withUnsafeBytes { decoder.next($0) }
        precondition(step.consumed >= 0 && step.consumed <= rest.count, "consumed out of bounds")
        if case .data(let range) = step.event {
            precondition(range.lowerBound >= 0 && range.upperBound <= step.consumed, "data range out of bounds")
            let base = rest.startIndex
            result.payload += rest[(base + range.lowerBound)..<(base + range.upperBound)]
        }
        result.consumed += step.consumed
        rest = rest.dropFirst(step.consumed)
        switch step.event {
        case .data: continue
        default:
            result.last = step.event
            return result
        }
    }
}

/// Decodes `input` in one buffer with a fresh decoder.
func decode(_ framing: BodyFraming, _ input: [UInt8], max: Int? = nil) -> Drained {
    var decoder = BodyDecoder(framing: framing, maxBodyBytes: max)
    return drain(&decoder, input)
}

/// A small deterministic generator (SplitMix64) so the soups are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
