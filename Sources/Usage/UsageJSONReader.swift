/// Reads JSON texts incrementally, byte by byte across any number of pieces, for the token counts of
/// SPEC 7, holding nothing of the text but a member name of at most `nameCapacity` bytes and one
/// number.
///
/// Only the objects on a usage path are read member by member: the top-level object, its `usage`
/// (and, in events, `response.usage` and `message.usage`) and their `*_tokens_details`. Their
/// structure is checked strictly (names, colons, commas, brackets, literals, number grammar); a
/// malformed text counts nothing from where it breaks, and nothing more until `reset`. Every other
/// value is skipped: strings with a fast scan to their closing quote, containers by counting their
/// brackets outside strings (whatever is inside, at any depth, in constant memory). A value counts
/// only when the top-level object closes: the counts of a text cut short are never taken.
///
/// In event mode (`lineDelimited`) a CR or LF is an event line's end, not JSON: `read` stops before
/// it and leaves it to the caller, which calls `separateLines` when a next `data:` line continues the
/// same event (the LF the SSE data buffer puts between lines).
@usableFromInline
struct UsageJSONReader: Sendable {
    /// Member names longer than this never match one the reader looks for (the longest is 23 bytes).
    static let nameCapacity = 32

    /// Every usage committed so far, the last reported value of each field.
    // (Inlinable readers: the relay reads it in place, without copying the scanner for a call.)
    @usableFromInline private(set) var usage = TokenUsage()

    private let lineDelimited: Bool
    private var state = State.beforeText
    /// The read object the reader is in (meaningful while inside the top-level object).
    private var node = Node.root
    /// What the value of the member being read is for.
    private var target = Target.skip
    /// The counts of the text being read, taken into `usage` when its top-level object closes.
    private var pending = TokenUsage()

    /// The member name being read, its first `nameCapacity` bytes (decoded), little-endian in 4 words.
    private var name: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Its length so far (it may exceed `nameCapacity`: then it matches nothing).
    private var nameLength = 0
    /// `\uXXXX` in a name: hex digits still to come and the code so far.
    private var escapeDigits = 0
    private var escapeCode: UInt32 = 0

    /// The number being read: its grammar position, its value while it is a plain integer.
    private var numberPhase = NumberPhase.integer
    private var numberValue = 0
    private var numberDigits = 0
    private var numberIsCount = true

    /// The literal being read (`true`, `false` or `null`) and how many of its bytes matched.
    private var literal = Literal.null
    private var literalMatched = 0

    /// Open brackets of the container being skipped.
    private var skipDepth = 0

    init(lineDelimited: Bool) {
        self.lineDelimited = lineDelimited
    }

    /// Bytes of a member name the reader holds (at most `nameCapacity`).
    var bufferedBytes: Int {
        switch state {
        case .name, .nameEscape, .nameUnicode: min(nameLength, Self.nameCapacity)
        default: 0
        }
    }

    /// Forgets the text being read (its uncommitted counts included) and expects a new one; `usage`
    /// stays. Event mode calls it at each event's end.
    mutating func reset() {
        state = .beforeText
        node = .root
        target = .skip
        pending = TokenUsage()
        nameLength = 0
        skipDepth = 0
    }

    // MARK: The states

    private enum State: UInt8 {
        /// Whitespace, then the top-level value.
        case beforeText
        /// After a read object's `{`: a member name or `}`.
        case memberStart
        /// After a `,` in a read object: a member name.
        case memberNext
        /// Inside a member name (after its opening quote).
        case name
        /// After a `\` in a member name.
        case nameEscape
        /// Inside a `\uXXXX` of a member name.
        case nameUnicode
        /// After a member name: the `:`.
        case colon
        /// After the `:`: the member's value.
        case value
        /// After a member's value: `,` or `}`.
        case afterValue
        /// Inside a string value of a read object.
        case string
        /// After a `\` in such a string.
        case stringEscape
        /// Inside a number of a read object.
        case number
        /// Inside `true`, `false` or `null` in a read object.
        case literal
        /// Inside a container that is not read, outside its strings.
        case skip
        /// Inside a string of a container that is not read.
        case skipString
        /// After a `\` there.
        case skipStringEscape
        /// After the top-level object: only whitespace may follow.
        case afterText
        /// Not a text with usage (not an object) or malformed: nothing more counts until `reset`.
        case ignored

        /// The states `readStructure` reads in.
        var isStructural: Bool {
            switch self {
            case .beforeText, .memberStart, .memberNext, .colon, .value, .afterValue, .afterText: true
            default: false
            }
        }
    }

    /// The objects on a usage path, each knowing its parent.
    private enum Node: UInt8 {
        case root
        case usage, usageDetails
        case response, responseUsage, responseUsageDetails
        case message, messageUsage, messageUsageDetails

        var parent: Node {
            switch self {
            case .root, .usage, .response, .message: .root
            case .usageDetails: .usage
            case .responseUsage: .response
            case .responseUsageDetails: .responseUsage
            case .messageUsage: .message
            case .messageUsageDetails: .messageUsage
            }
        }
    }

    private enum Field: UInt8 {
        case input, output, cachedInput
    }

    private enum Target: Equatable {
        case skip
        case field(Field)
        case object(Node)
    }

    private enum NumberPhase: UInt8 {
        /// After `-`: a digit must follow.
        case sign
        /// After a leading `0`.
        case zero
        /// In the integer digits.
        case integer
        /// After `.`: a digit must follow.
        case point
        case fraction
        /// After `e`/`E`: a sign or a digit.
        case exponentMark
        /// After the exponent's sign: a digit.
        case exponentSign
        case exponent

        /// Whether a number may end here.
        var isComplete: Bool {
            switch self {
            case .zero, .integer, .fraction, .exponent: true
            case .sign, .point, .exponentMark, .exponentSign: false
            }
        }
    }

    private enum Literal: UInt8 {
        case `true`, `false`, null

        var text: StaticString {
            switch self {
            case .true: "true"
            case .false: "false"
            case .null: "null"
            }
        }
    }

    // MARK: Reading

    /// Reads `bytes[start..<end]`; returns where it stopped: `end`, or in event mode the position of a
    /// CR or LF, which it leaves to the caller.
    mutating func read(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var index = start
        if state == .beforeText && start + 1 < end && bytes[start] == UInt8(ascii: "{")
            && bytes[start + 1] == UInt8(ascii: "\"")
        {
            // A compact text's start (nearly every answer and event): straight to its first member.
            node = .root
            var state = State.memberStart
            index += 2
            let stop = members(bytes, &index, end, &state)
            self.state = state
            if let stop { return stop }
        }
        while index < end {
            let byte = bytes[index]
            switch state {
            case .skip:
                index = skip(bytes, from: index, to: end)
                if state == .skip { return index }
            case .skipString:
                switch scanString(bytes, &index, end, lax: true) {
                case .closed: state = .skip
                case .open: return end
                case .openEscape:
                    state = .skipStringEscape
                    return end
                case .lineEnd: return index
                case .lineEndInEscape:
                    state = .skipStringEscape
                    return index
                case .malformed: state = .ignored
                }
            case .skipStringEscape:
                if lineDelimited && (byte == 0x0A || byte == 0x0D) { return index }
                index += 1
                state = .skipString
            case .string:
                if let stop = readString(bytes, &index, end) { return stop }
            case .stringEscape:
                if byte < 0x20 {
                    if lineDelimited && (byte == 0x0A || byte == 0x0D) { return index }
                    state = .ignored
                } else {
                    index += 1
                    state = .string
                }
            case .name:
                let stop = firstStringStop(bytes, from: index, to: end)
                appendName(bytes, from: index, to: stop)
                index = stop
                guard stop < end else { return end }
                let stopByte = bytes[stop]
                if stopByte == UInt8(ascii: "\"") {
                    index += 1
                    target = resolveBufferedName()
                    state = .colon
                } else if stopByte == UInt8(ascii: "\\") {
                    index += 1
                    state = .nameEscape
                } else if lineDelimited && (stopByte == 0x0A || stopByte == 0x0D) {
                    return stop
                } else {
                    state = .ignored
                }
            case .nameEscape:
                if byte < 0x20 {
                    if lineDelimited && (byte == 0x0A || byte == 0x0D) { return index }
                    state = .ignored
                    continue
                }
                index += 1
                if byte == UInt8(ascii: "u") {
                    escapeDigits = 4
                    escapeCode = 0
                    state = .nameUnicode
                } else {
                    // `\"`, `\\`, `\n`…: no name the reader looks for holds one of those characters.
                    poisonName()
                    state = .name
                }
            case .nameUnicode:
                guard let digit = hexDigit(byte) else {
                    if lineDelimited && (byte == 0x0A || byte == 0x0D) { return index }
                    // Not four hex digits: the name matches nothing; the string goes on.
                    poisonName()
                    state = .name
                    continue
                }
                index += 1
                escapeCode = escapeCode << 4 | UInt32(digit)
                escapeDigits -= 1
                if escapeDigits == 0 {
                    // The names looked for are ASCII: any other scalar makes the name one of no interest.
                    if escapeCode < 0x80 {
                        appendNameByte(UInt8(escapeCode))
                    } else {
                        poisonName()
                    }
                    state = .name
                }
            case .number:
                if numberPhase == .integer {
                    // The digits of a count, in one tight loop.
                    var value = numberValue
                    var digits = numberDigits
                    while index < end {
                        let digit = bytes[index] &- UInt8(ascii: "0")
                        guard digit < 10 else { break }
                        digits += 1
                        // 18 digits always fit an Int; a longer count is not one a backend reports.
                        if digits <= 18 { value = value &* 10 &+ Int(digit) }
                        index += 1
                    }
                    numberValue = value
                    numberDigits = digits
                    if digits > 18 { numberIsCount = false }
                    guard index < end else { return end }
                }
                if readNumberByte(bytes[index]) { index += 1 }
            case .literal:
                let text = literal.text
                if byte != text.utf8Start[literalMatched] {
                    if lineDelimited && (byte == 0x0A || byte == 0x0D) { return index }
                    state = .ignored
                    continue
                }
                index += 1
                literalMatched += 1
                if literalMatched == text.utf8CodeUnitCount { state = .afterValue }
            case .ignored:
                guard lineDelimited else { return end }
                return firstLineEnd(bytes, from: index, to: end)
            case .beforeText, .memberStart, .memberNext, .colon, .value, .afterValue, .afterText:
                if let stop = readStructure(bytes, &index, end) { return stop }
            }
        }
        return end
    }

    /// The structural states: token after token in one loop while the reader stays in them (names
    /// resolved, strings skipped, skipped containers, literals and short numbers handled in place);
    /// returns the position to return at (a line end, or the end inside a skipped value), or nil to go
    /// on in `read`. The position and the state live in locals here, written back wherever it leaves.
    private mutating func readStructure(_ bytes: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int) -> Int? {
        var position = index
        var state = self.state
        defer {
            index = position
            self.state = state
        }
        while position < end {
            let byte = bytes[position]
            if byte <= 0x20 {
                if byte == 0x20 || byte == 0x09 {
                    position += 1
                    continue
                }
                if byte == 0x0A || byte == 0x0D {
                    if lineDelimited { return position }
                    position += 1
                    continue
                }
            }
            position += 1
            switch state {
            case .memberStart, .memberNext:
                if byte == UInt8(ascii: "\"") {
                    if let stop = members(bytes, &position, end, &state) { return stop }
                    if !state.isStructural { return nil }
                } else if byte == UInt8(ascii: "}") && state == .memberStart {
                    state = closeObject()
                } else {
                    state = .ignored
                    return nil
                }
            case .colon:
                guard byte == UInt8(ascii: ":") else {
                    state = .ignored
                    return nil
                }
                state = .value
            case .value:
                switch byte {
                case UInt8(ascii: "\""):
                    // A string without escapes that closes in this piece (nearly always): one scan.
                    let stop = firstStringStop(bytes, from: position, to: end)
                    if stop < end && bytes[stop] == UInt8(ascii: "\"") {
                        position = stop + 1
                        state = .afterValue
                        continue
                    }
                    position = stop
                    let lineEnd = readString(bytes, &position, end)
                    state = self.state
                    if let lineEnd { return lineEnd }
                    if state != .afterValue { return nil }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if byte == UInt8(ascii: "{"), case .object(let child) = target {
                        node = child
                        state = .memberStart
                        continue
                    }
                    skipDepth = 1
                    self.state = .skip
                    position = skip(bytes, from: position, to: end)
                    state = self.state
                    if state != .afterValue { return state == .skip ? position : nil }
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    literal = byte == UInt8(ascii: "t") ? .true : byte == UInt8(ascii: "f") ? .false : .null
                    let text = literal.text
                    let count = text.utf8CodeUnitCount
                    guard position + count - 1 <= end else {
                        literalMatched = 1
                        state = .literal
                        return nil
                    }
                    // Whole in this piece (nearly always): compared at once.
                    for offset in 1..<count where bytes[position + offset - 1] != text.utf8Start[offset] {
                        state = .ignored
                        return nil
                    }
                    position += count - 1
                    state = .afterValue
                case UInt8(ascii: "1")...UInt8(ascii: "9"):
                    // A count whole in this piece (nearly always): read at once.
                    var value = Int(byte &- UInt8(ascii: "0"))
                    var next = position
                    while next < end, next - position < 17 {
                        let digit = bytes[next] &- UInt8(ascii: "0")
                        guard digit < 10 else { break }
                        value = value &* 10 &+ Int(digit)
                        next += 1
                    }
                    if next < end {
                        let after = bytes[next]
                        if after != UInt8(ascii: "."), after != UInt8(ascii: "e"), after != UInt8(ascii: "E"),
                            after &- UInt8(ascii: "0") >= 10
                        {
                            if case .field(let field) = target { set(field, value) }
                            position = next
                            state = .afterValue
                            continue
                        }
                    }
                    startNumber(.integer, value: Int(byte &- UInt8(ascii: "0")))
                    state = .number
                    return nil
                case UInt8(ascii: "-"):
                    startNumber(.sign, value: 0)
                    numberIsCount = false
                    state = .number
                    return nil
                case UInt8(ascii: "0"):
                    startNumber(.zero, value: 0)
                    state = .number
                    return nil
                default:
                    state = .ignored
                    return nil
                }
            case .afterValue:
                if byte == UInt8(ascii: ",") {
                    state = .memberNext
                } else if byte == UInt8(ascii: "}") {
                    state = closeObject()
                } else {
                    state = .ignored
                    return nil
                }
            case .beforeText:
                // Only an object holds usage: anything else is not read (`data: [DONE]` among them).
                guard byte == UInt8(ascii: "{") else {
                    state = .ignored
                    return nil
                }
                node = .root
                state = .memberStart
            default:
                // `.afterText`: a second value after the text.
                state = .ignored
                return nil
            }
        }
        return nil
    }

    /// The members of read objects in direct code, from just after a member name's opening quote: each
    /// token's end found in place and the next token expected right after it (compact JSON: `"name":`,
    /// the value, `,"` or `}`), without a state per token. Anything else (whitespace, a token cut by
    /// the piece's end, an escape in a name, `-`, a malformed byte) leaves with `state` at the
    /// token boundary it reached, for `readStructure` or `read` to go on byte by byte exactly as
    /// before. Returns what `readStructure` returns, or nil with `state` set.
    @inline(__always)
    private mutating func members(
        _ bytes: UnsafePointer<UInt8>,
        _ position: inout Int,
        _ end: Int,
        _ state: inout State
    ) -> Int? {
        var index = position
        defer { position = index }
        member: while true {
            // The name: resolved in place when it closes in this piece without an escape (nearly
            // always), else copied into `name` and read on in `.name`.
            let start = index
            let stop = firstStringStop(bytes, from: start, to: end)
            guard stop < end && bytes[stop] == UInt8(ascii: "\"") else {
                nameLength = 0
                appendName(bytes, from: start, to: stop)
                index = stop
                state = .name
                return nil
            }
            // (Static: a method would copy the whole reader for the call.)
            target = Self.resolveName(bytes + start, length: stop - start, in: node, lineDelimited: lineDelimited)
            index = stop + 1
            guard index < end && bytes[index] == UInt8(ascii: ":") else {
                state = .colon
                return nil
            }
            index += 1
            guard index < end else {
                state = .value
                return nil
            }
            // The value.
            let first = bytes[index]
            switch first {
            case UInt8(ascii: "\""):
                let close = firstStringStop(bytes, from: index + 1, to: end)
                if close < end && bytes[close] == UInt8(ascii: "\"") {
                    index = close + 1
                } else {
                    index = close
                    let lineEnd = readString(bytes, &index, end)
                    state = self.state
                    if let lineEnd { return lineEnd }
                    if state != .afterValue { return nil }
                }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // A count whole in this piece (nearly always): its digits found at once, its value
                // read only when it is one looked for. A `0` is a whole number only alone.
                let after = first == UInt8(ascii: "0") ? index + 1 : digitsEnd(bytes, from: index + 1, to: end)
                let digits = after - index
                guard after < end, digits <= 18,
                    bytes[after] != UInt8(ascii: "."), bytes[after] | 0x20 != UInt8(ascii: "e"),
                    first != UInt8(ascii: "0") || bytes[after] &- UInt8(ascii: "0") >= 10
                else {
                    // Cut by the piece's end, a fraction, an exponent, too long, a leading zero:
                    // byte by byte.
                    if first == UInt8(ascii: "0") {
                        startNumber(.zero, value: 0)
                    } else {
                        startNumber(.integer, value: Int(first &- UInt8(ascii: "0")))
                    }
                    index += 1
                    state = .number
                    return nil
                }
                if case .field(let field) = target {
                    var value = 0
                    for offset in index..<after { value = value &* 10 &+ Int(bytes[offset] &- UInt8(ascii: "0")) }
                    set(field, value)
                }
                index = after
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                index += 1
                if first == UInt8(ascii: "{"), case .object(let child) = target {
                    node = child
                    if index < end && bytes[index] == UInt8(ascii: "\"") {
                        index += 1
                        continue member
                    }
                    state = .memberStart
                    return nil
                }
                skipDepth = 1
                self.state = .skip
                index = skip(bytes, from: index, to: end)
                state = self.state
                if state != .afterValue { return state == .skip ? index : nil }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                literal = first == UInt8(ascii: "t") ? .true : first == UInt8(ascii: "f") ? .false : .null
                let text = literal.text
                let count = text.utf8CodeUnitCount
                index += 1
                guard index + count - 1 <= end else {
                    literalMatched = 1
                    state = .literal
                    return nil
                }
                for offset in 1..<count where bytes[index + offset - 1] != text.utf8Start[offset] {
                    state = .ignored
                    return nil
                }
                index += count - 1
            default:
                // Whitespace, `-`, or not a value: byte by byte.
                state = .value
                return nil
            }
            // After the value: the next member or the object's end (and its parent's after it).
            while index < end {
                let next = bytes[index]
                if next == UInt8(ascii: ",") {
                    if index + 1 < end && bytes[index + 1] == UInt8(ascii: "\"") {
                        index += 2
                        continue member
                    }
                    index += 1
                    state = .memberNext
                    return nil
                }
                guard next == UInt8(ascii: "}") else { break }
                index += 1
                state = closeObject()
                if state != .afterValue { return nil }
            }
            state = .afterValue
            return nil
        }
    }

    /// A string value of a read object, from `index` on; returns the position to return at when it
    /// stops at a line end, else nil.
    @inline(__always)
    private mutating func readString(_ bytes: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int) -> Int? {
        switch scanString(bytes, &index, end, lax: false) {
        case .closed: state = .afterValue
        case .open: state = .string
        case .openEscape: state = .stringEscape
        case .lineEnd:
            state = .string
            return index
        case .lineEndInEscape:
            state = .stringEscape
            return index
        case .malformed: state = .ignored
        }
        return nil
    }

    /// Where a skip's window scan stopped short, at `index`: a `\` escapes the next byte inside a
    /// string and is nothing outside one; anything else is a line end (event mode), left to the
    /// caller. Returns the position to return at, or nil to scan on from `index`.
    @inline(__always)
    private mutating func skipStop(
        _ bytes: UnsafePointer<UInt8>,
        _ index: inout Int,
        _ end: Int,
        inString: Bool
    )
        -> Int?
    {
        guard bytes[index] == UInt8(ascii: "\\") else {
            if inString { state = .skipString }
            return index
        }
        guard inString else {
            index &+= 1
            return nil
        }
        guard index &+ 1 < end else {
            state = .skipStringEscape
            return end
        }
        let escaped = bytes[index &+ 1]
        if lineDelimited && (escaped == 0x0A || escaped == 0x0D) {
            state = .skipStringEscape
            return index &+ 1
        }
        index &+= 2
        return nil
    }

    /// Inside a skipped container (`state == .skip`), from `start`: returns where it stopped, with
    /// `state` still `.skip` at the end of the piece or a line end, or the state the skip ended in.
    private mutating func skip(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var index = start
        var depth = skipDepth
        defer { skipDepth = depth }
        // Inside a string (after its opening quote), `index` not past its end.
        var inString = false
        #if arch(x86_64)
        // Sixty-four bytes a window while as many are left, then thirty-two (the piece's last 32
        // shifted for its tail), up to a `\` (or, in event mode, a line end): the quotes' running
        // parity, carried from window to window, marks the bytes inside strings, whose brackets do not
        // count; the others are taken one by one (few per window). Pieces shorter than 32 bytes are
        // read byte by byte below.
        if end >= 32 {
            while index < end {
                if index &+ 64 <= end {
                    // 64 bytes a window while that many are left: the same, on 64-bit masks.
                    let base = index
                    let b0 = ByteBlock(bytes + base)
                    let b1 = ByteBlock(bytes + (base &+ 16))
                    let b2 = ByteBlock(bytes + (base &+ 32))
                    let b3 = ByteBlock(bytes + (base &+ 48))
                    @inline(__always)
                    func mask(_ kind: (ByteBlock) -> UInt32) -> UInt64 {
                        (UInt64(kind(b0)) | UInt64(kind(b1)) &<< 16 | UInt64(kind(b2)) &<< 32 | UInt64(kind(b3)) &<< 48)
                    }
                    let stops = lineDelimited ? mask { $0.backslashes | $0.lineEnds } : mask { $0.backslashes }
                    let length = stops == 0 ? 64 : stops.trailingZeroBitCount
                    let window = length == 64 ? UInt64.max : (UInt64(1) &<< UInt64(truncatingIfNeeded: length)) &- 1
                    let quotes = mask { $0.quotes } & window
                    var inside = quotes ^ (quotes &<< 1)
                    inside ^= inside &<< 2
                    inside ^= inside &<< 4
                    inside ^= inside &<< 8
                    inside ^= inside &<< 16
                    inside ^= inside &<< 32
                    // All ones when the window starts inside a string.
                    inside ^= 0 &- UInt64(truncatingIfNeeded: inString ? 1 : 0)
                    let outside = ~inside & window
                    let closes = mask { $0.closes } & outside
                    var brackets = mask { $0.opens } & outside | closes
                    while brackets != 0 {
                        let offset = brackets.trailingZeroBitCount
                        if closes &>> UInt64(truncatingIfNeeded: offset) & 1 != 0 {
                            depth -= 1
                            if depth == 0 {
                                state = .afterValue
                                return index &+ offset &+ 1
                            }
                        } else {
                            depth += 1
                        }
                        brackets &= brackets &- 1
                    }
                    // Bit 63 holds the parity of all the window's quotes.
                    inString = inside &>> 63 != 0
                    index &+= length
                    if length == 64 { continue }
                    if let stop = skipStop(bytes, &index, end, inString: inString) { return stop }
                    continue
                }
                let base = min(index, end &- 32)
                let shift = UInt32(truncatingIfNeeded: index &- base)
                let available = 32 &- Int(shift)
                let low = ByteBlock(bytes + base)
                let high = ByteBlock(bytes + (base &+ 16))
                let stops =
                    (lineDelimited
                        ? (low.backslashes | low.lineEnds) | (high.backslashes | high.lineEnds) &<< 16
                        : low.backslashes | high.backslashes &<< 16) &>> shift
                let length = stops == 0 ? available : stops.trailingZeroBitCount
                let window = UInt32(truncatingIfNeeded: (UInt64(1) &<< UInt64(truncatingIfNeeded: length)) &- 1)
                let quotes = ((low.quotes | high.quotes &<< 16) &>> shift) & window
                var inside = quotes ^ (quotes &<< 1)
                inside ^= inside &<< 2
                inside ^= inside &<< 4
                inside ^= inside &<< 8
                inside ^= inside &<< 16
                // All ones when the window starts inside a string.
                inside ^= 0 &- UInt32(truncatingIfNeeded: inString ? 1 : 0)
                let outside = ~inside & window
                let closes = ((low.closes | high.closes &<< 16) &>> shift) & outside
                var brackets = ((low.opens | high.opens &<< 16) &>> shift) & outside | closes
                while brackets != 0 {
                    let offset = brackets.trailingZeroBitCount
                    if closes &>> UInt32(truncatingIfNeeded: offset) & 1 != 0 {
                        depth -= 1
                        if depth == 0 {
                            state = .afterValue
                            return index &+ offset &+ 1
                        }
                    } else {
                        depth += 1
                    }
                    brackets &= brackets &- 1
                }
                // Bit 31 holds the parity of all the window's quotes.
                inString = inside &>> 31 != 0
                index &+= length
                if length == available { continue }
                if let stop = skipStop(bytes, &index, end, inString: inString) { return stop }
                continue
            }
            if inString { state = .skipString }
            return end
        }
        #endif
        while index < end {
            if inString {
                switch scanString(bytes, &index, end, lax: true) {
                case .closed: inString = false
                case .open:
                    state = .skipString
                    return end
                case .openEscape:
                    state = .skipStringEscape
                    return end
                case .lineEnd:
                    state = .skipString
                    return index
                case .lineEndInEscape:
                    state = .skipStringEscape
                    return index
                case .malformed:
                    state = .ignored
                    return index
                }
                continue
            }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") {
                inString = true
                continue
            }
            // `[`/`{` and `]`/`}` differ only in bit 5.
            let folded = byte | 0x20
            if folded == UInt8(ascii: "{") {
                depth += 1
            } else if folded == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 {
                    state = .afterValue
                    return index
                }
            } else if lineDelimited && (byte == 0x0A || byte == 0x0D) {
                return index - 1
            }
        }
        // The piece ended right after an opening quote or inside a string.
        if inString { state = .skipString }
        return end
    }

    private enum StringEnd {
        /// At its closing quote (`index` just after it).
        case closed
        /// The piece ended inside it.
        case open
        /// The piece ended right after a `\`.
        case openEscape
        /// Event mode: at a line end inside it (`index` at the CR or LF).
        case lineEnd
        /// Event mode: at a line end right after a `\`.
        case lineEndInEscape
        /// A raw control character (not `lax`).
        case malformed
    }

    /// Skips string bytes from `index`: sixteen at a time between the stops. `lax` (skipped values)
    /// lets control characters through.
    @inline(__always)
    private func scanString(_ bytes: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int, lax: Bool) -> StringEnd {
        var position = index
        while true {
            position = firstStringStop(bytes, from: position, to: end)
            guard position < end else {
                index = end
                return .open
            }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                return .closed
            }
            if byte == UInt8(ascii: "\\") {
                guard position + 1 < end else {
                    index = end
                    return .openEscape
                }
                let escaped = bytes[position + 1]
                if escaped < 0x20 {
                    if lineDelimited && (escaped == 0x0A || escaped == 0x0D) {
                        index = position + 1
                        return .lineEndInEscape
                    }
                    if !lax {
                        index = position + 1
                        return .malformed
                    }
                }
                position += 2
                continue
            }
            // A control character: a line end in event mode, else not JSON (RFC 8259 7).
            if lineDelimited && (byte == 0x0A || byte == 0x0D) {
                index = position
                return .lineEnd
            }
            if !lax {
                index = position
                return .malformed
            }
            position += 1
        }
    }

    /// Event mode: the next `data:` line continues this event, as if an LF (JSON whitespace) came here.
    mutating func separateLines() {
        switch state {
        case .number:
            _ = readNumberByte(0x0A)
        case .literal, .name, .nameEscape, .nameUnicode, .string, .stringEscape:
            // A raw LF inside a token: not JSON.
            state = .ignored
        case .skipStringEscape:
            state = .skipString
        case .beforeText, .memberStart, .memberNext, .colon, .value, .afterValue, .afterText, .skip, .skipString,
            .ignored:
            break
        }
    }

    /// A read object closes; returns the state after it.
    private mutating func closeObject() -> State {
        guard node == .root else {
            node = node.parent
            return .afterValue
        }
        usage.merge(pending)
        pending = TokenUsage()
        return .afterText
    }

    // MARK: Numbers

    /// The caller enters `.number`.
    private mutating func startNumber(_ phase: NumberPhase, value: Int) {
        numberPhase = phase
        numberValue = value
        numberDigits = 1
        numberIsCount = true
    }

    /// Takes `byte` into the number; false when the number ended before it (`byte` is then left for
    /// the next state) or the number is malformed.
    private mutating func readNumberByte(_ byte: UInt8) -> Bool {
        let digit = byte &- UInt8(ascii: "0")
        switch (numberPhase, digit < 10) {
        case (.sign, true):
            numberPhase = digit == 0 ? .zero : .integer
        case (.integer, true):
            // 18 digits always fit an Int; a longer count is not one a backend reports.
            numberDigits += 1
            if numberDigits <= 18 { numberValue = numberValue &* 10 &+ Int(digit) } else { numberIsCount = false }
        case (.point, true), (.fraction, true):
            numberPhase = .fraction
        case (.exponentMark, true), (.exponentSign, true), (.exponent, true):
            numberPhase = .exponent
        case (.zero, true):
            // `01`: a leading zero (RFC 8259 6).
            state = .ignored
            return false
        case (_, false):
            switch byte {
            case UInt8(ascii: ".") where numberPhase == .zero || numberPhase == .integer:
                // Only a plain integer is a token count; `5.0` is valid JSON and skipped.
                numberPhase = .point
                numberIsCount = false
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard numberPhase == .zero || numberPhase == .integer || numberPhase == .fraction else {
                    state = .ignored
                    return false
                }
                numberPhase = .exponentMark
                numberIsCount = false
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard numberPhase == .exponentMark else {
                    state = .ignored
                    return false
                }
                numberPhase = .exponentSign
            default:
                // Any other byte ends the number; the next state judges it.
                if numberPhase.isComplete {
                    if numberIsCount, case .field(let field) = target { set(field, numberValue) }
                    state = .afterValue
                } else {
                    state = .ignored
                }
                return false
            }
        }
        return true
    }

    private mutating func set(_ field: Field, _ value: Int) {
        switch field {
        case .input: pending.input = value
        case .output: pending.output = value
        case .cachedInput: pending.cachedInput = value
        }
    }

    // MARK: Member names

    private mutating func appendName(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        var length = nameLength
        if length + (end - start) <= Self.nameCapacity {
            withUnsafeMutableBytes(of: &name) { storage in
                for index in start..<end {
                    storage[length] = bytes[index]
                    length += 1
                }
            }
        } else {
            length += end - start
        }
        nameLength = length
    }

    private mutating func appendNameByte(_ byte: UInt8) {
        let length = nameLength
        if length < Self.nameCapacity {
            withUnsafeMutableBytes(of: &name) { $0[length] = byte }
        }
        nameLength = length + 1
    }

    /// The name can no longer match one the reader looks for.
    private mutating func poisonName() {
        nameLength = Self.nameCapacity + 1
    }

    /// The name in `name` (read across pieces or with escapes), resolved.
    private func resolveBufferedName() -> Target {
        guard nameLength <= Self.nameCapacity else { return .skip }
        return withUnsafeBytes(of: name) { storage in
            Self.resolveName(
                storage.baseAddress!.assumingMemoryBound(to: UInt8.self),
                length: nameLength,
                in: node,
                lineDelimited: lineDelimited
            )
        }
    }

    /// What the value of the member named by `length` bytes at `name` is for, in the object being
    /// read (SPEC 7's fields). Lengths first: most names are ruled out without looking at a byte.
    @inline(__always)
    private static func resolveName(
        _ name: UnsafePointer<UInt8>,
        length: Int,
        in node: Node,
        lineDelimited: Bool
    ) -> Target {
        @inline(__always)
        func named(_ expected: StaticString) -> Bool { nameEquals(name, length, expected) }
        switch node {
        case .root:
            switch length {
            case 5 where named("usage"): return .object(.usage)
            // Events only: the Responses API's `response.completed` and Anthropic's `message_start`.
            case 8 where lineDelimited && named("response"): return .object(.response)
            case 7 where lineDelimited && named("message"): return .object(.message)
            default: return .skip
            }
        case .response:
            return length == 5 && named("usage") ? .object(.responseUsage) : .skip
        case .message:
            return length == 5 && named("usage") ? .object(.messageUsage) : .skip
        case .usage, .responseUsage, .messageUsage:
            switch length {
            case 12 where named("input_tokens"): return .field(.input)
            case 13 where named("prompt_tokens"): return .field(.input)
            case 13 where named("output_tokens"): return .field(.output)
            case 17 where named("completion_tokens"): return .field(.output)
            case 23 where named("cache_read_input_tokens"): return .field(.cachedInput)
            case 20 where named("input_tokens_details"), 21 where named("prompt_tokens_details"):
                let details: Node =
                    node == .usage
                    ? .usageDetails : node == .responseUsage ? .responseUsageDetails : .messageUsageDetails
                return .object(details)
            default: return .skip
            }
        case .usageDetails, .responseUsageDetails, .messageUsageDetails:
            return length == 13 && named("cached_tokens") ? .field(.cachedInput) : .skip
        }
    }
}

// MARK: Scanning helpers

/// Whether the `length` bytes at `name` are `expected`'s, whose length the caller checked: eight bytes a
/// step (the last word overlapping).
@inline(__always)
private func nameEquals(_ name: UnsafePointer<UInt8>, _ length: Int, _ expected: StaticString) -> Bool {
    let text = UnsafeRawPointer(expected.utf8Start)
    let bytes = UnsafeRawPointer(name)
    guard length >= 8 else {
        for offset in 0..<length where name[offset] != expected.utf8Start[offset] { return false }
        return true
    }
    var offset = 0
    while offset < length - 8 {
        guard
            bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                == text.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        else { return false }
        offset += 8
    }
    return bytes.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
        == text.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
}

private func hexDigit(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
    default: nil
    }
}
