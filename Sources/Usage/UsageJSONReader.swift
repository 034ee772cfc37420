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
struct UsageJSONReader {
    /// Member names longer than this never match one the reader looks for (the longest is 23 bytes).
    static let nameCapacity = 32

    /// Every usage committed so far, the last reported value of each field.
    private(set) var usage = TokenUsage()

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
    var bufferedBytes: Int { min(nameLength, Self.nameCapacity) }

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
        while index < end {
            let byte = bytes[index]
            switch state {
            case .skipString, .string:
                // The bulk of every answer: text and ids, sixteen bytes a step.
                let stop = firstStringStop(bytes, from: index, to: end)
                index = stop
                guard stop < end else { return end }
                let stopByte = bytes[stop]
                if stopByte == UInt8(ascii: "\"") {
                    index += 1
                    if state == .string {
                        state = .afterValue
                    } else {
                        state = .skip
                    }
                } else if stopByte == UInt8(ascii: "\\") {
                    index += 1
                    state = state == .string ? .stringEscape : .skipStringEscape
                } else if lineDelimited && (stopByte == 0x0A || stopByte == 0x0D) {
                    return stop
                } else if state == .string {
                    // A raw control character: not JSON (RFC 8259 7).
                    state = .ignored
                } else {
                    index += 1
                }
            case .skip:
                // Between the strings of a skipped container: short runs, byte by byte.
                while index < end {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        index += 1
                        state = .skipString
                        break
                    }
                    // `[`/`{` and `]`/`}` differ only in bit 5.
                    let folded = byte | 0x20
                    if folded == UInt8(ascii: "{") {
                        skipDepth += 1
                    } else if folded == UInt8(ascii: "}") {
                        skipDepth -= 1
                        if skipDepth == 0 {
                            index += 1
                            state = .afterValue
                            break
                        }
                    } else if lineDelimited && (byte == 0x0A || byte == 0x0D) {
                        return index
                    }
                    index += 1
                }
            case .skipStringEscape:
                if lineDelimited && (byte == 0x0A || byte == 0x0D) { return index }
                index += 1
                state = .skipString
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
                    target = resolveName()
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
                if !readNumberByte(byte) { continue }
                index += 1
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
                if byte <= 0x20 {
                    if byte == 0x20 || byte == 0x09 {
                        index += 1
                        continue
                    }
                    if byte == 0x0A || byte == 0x0D {
                        if lineDelimited { return index }
                        index += 1
                        continue
                    }
                }
                index += 1
                structural(byte)
            }
        }
        return end
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

    /// A byte other than whitespace where a structural token is expected.
    private mutating func structural(_ byte: UInt8) {
        switch state {
        case .beforeText:
            // Only an object holds usage: anything else is not read (`data: [DONE]` among them).
            if byte == UInt8(ascii: "{") {
                node = .root
                state = .memberStart
            } else {
                state = .ignored
            }
        case .memberStart, .memberNext:
            if byte == UInt8(ascii: "\"") {
                nameLength = 0
                state = .name
            } else if byte == UInt8(ascii: "}") && state == .memberStart {
                closeObject()
            } else {
                state = .ignored
            }
        case .colon:
            state = byte == UInt8(ascii: ":") ? .value : .ignored
        case .value:
            startValue(byte)
        case .afterValue:
            if byte == UInt8(ascii: ",") {
                state = .memberNext
            } else if byte == UInt8(ascii: "}") {
                closeObject()
            } else {
                state = .ignored
            }
        default:
            // `.afterText`: a second value after the text.
            state = .ignored
        }
    }

    private mutating func startValue(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "{"):
            if case .object(let child) = target {
                node = child
                state = .memberStart
            } else {
                skipDepth = 1
                state = .skip
            }
        case UInt8(ascii: "["):
            skipDepth = 1
            state = .skip
        case UInt8(ascii: "\""):
            state = .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            literal = byte == UInt8(ascii: "t") ? .true : byte == UInt8(ascii: "f") ? .false : .null
            literalMatched = 1
            state = .literal
        case UInt8(ascii: "-"):
            startNumber(.sign, value: 0)
            numberIsCount = false
        case UInt8(ascii: "0"):
            startNumber(.zero, value: 0)
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            startNumber(.integer, value: Int(byte &- UInt8(ascii: "0")))
        default:
            state = .ignored
        }
    }

    private mutating func closeObject() {
        if node == .root {
            usage.merge(pending)
            pending = TokenUsage()
            state = .afterText
        } else {
            node = node.parent
            state = .afterValue
        }
    }

    // MARK: Numbers

    private mutating func startNumber(_ phase: NumberPhase, value: Int) {
        numberPhase = phase
        numberValue = value
        numberDigits = 1
        numberIsCount = true
        state = .number
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

    private func nameIs(_ expected: StaticString) -> Bool {
        guard nameLength == expected.utf8CodeUnitCount else { return false }
        return withUnsafeBytes(of: name) { storage in
            let text = expected.utf8Start
            for index in 0..<nameLength where storage[index] != text[index] { return false }
            return true
        }
    }

    /// What the value of the member just named is for, in the object being read (SPEC 7's fields).
    private func resolveName() -> Target {
        switch node {
        case .root:
            if nameIs("usage") { return .object(.usage) }
            // Events only: the Responses API's `response.completed` and Anthropic's `message_start`.
            if lineDelimited {
                if nameIs("response") { return .object(.response) }
                if nameIs("message") { return .object(.message) }
            }
            return .skip
        case .response:
            return nameIs("usage") ? .object(.responseUsage) : .skip
        case .message:
            return nameIs("usage") ? .object(.messageUsage) : .skip
        case .usage, .responseUsage, .messageUsage:
            switch nameLength {
            case 12 where nameIs("input_tokens"): return .field(.input)
            case 13 where nameIs("prompt_tokens"): return .field(.input)
            case 13 where nameIs("output_tokens"): return .field(.output)
            case 17 where nameIs("completion_tokens"): return .field(.output)
            case 23 where nameIs("cache_read_input_tokens"): return .field(.cachedInput)
            case 20 where nameIs("input_tokens_details"), 21 where nameIs("prompt_tokens_details"):
                let details: Node =
                    node == .usage
                    ? .usageDetails : node == .responseUsage ? .responseUsageDetails : .messageUsageDetails
                return .object(details)
            default: return .skip
            }
        case .usageDetails, .responseUsageDetails, .messageUsageDetails:
            return nameIs("cached_tokens") ? .field(.cachedInput) : .skip
        }
    }
}

// MARK: Scanning helpers

private func hexDigit(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
    default: nil
    }
}

/// The first position in `start..<end` whose byte is `"`, `\` or a control character, or `end`:
/// sixteen bytes a step (two words), then eight, then one.
@inline(__always)
func firstStringStop(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
    let words = UnsafeRawPointer(bytes)
    var position = start
    while position < end &- 15 {
        let first = stringStops(words.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        let second = stringStops(words.loadUnaligned(fromByteOffset: position &+ 8, as: UInt64.self))
        if first | second != 0 {
            return position &+ ((first != 0 ? first.trailingZeroBitCount : 64 &+ second.trailingZeroBitCount) &>> 3)
        }
        position &+= 16
    }
    if position < end &- 7 {
        let stops = stringStops(words.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        if stops != 0 { return position &+ (stops.trailingZeroBitCount &>> 3) }
        position &+= 8
    }
    while position < end {
        let byte = bytes[position]
        if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
        position &+= 1
    }
    return position
}

/// Eight bytes as loaded (first in memory first) to a mask with the high bit set in each byte that is
/// `"`, `\` or below 0x20; bytes after the first such byte may be marked too (a subtraction's borrow),
/// so only the lowest set bit counts. Bytes from 0x80 on (UTF-8 text) are never marked.
@inline(__always)
private func stringStops(_ loaded: UInt64) -> UInt64 {
    let word = UInt64(littleEndian: loaded)
    let ones: UInt64 = 0x0101_0101_0101_0101
    // A byte that is 0 after the XOR (the quote, the backslash) gets its high bit from subtracting 1;
    // a byte below 0x20 from subtracting 0x20. `& ~x` drops bytes whose own high bit was set.
    let quotes = word ^ 0x2222_2222_2222_2222
    let backslashes = word ^ 0x5C5C_5C5C_5C5C_5C5C
    let marked =
        ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
        | ((word &- 0x2020_2020_2020_2020) & ~word)
    return marked & 0x8080_8080_8080_8080
}

/// The first position in `start..<end` whose byte is CR or LF, or `end`: eight bytes a step.
@inline(__always)
func firstLineEnd(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
    let words = UnsafeRawPointer(bytes)
    let ones: UInt64 = 0x0101_0101_0101_0101
    var position = start
    while position < end &- 7 {
        let word = UInt64(littleEndian: words.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        let lineFeeds = word ^ 0x0A0A_0A0A_0A0A_0A0A
        let returns = word ^ 0x0D0D_0D0D_0D0D_0D0D
        let marked = (((lineFeeds &- ones) & ~lineFeeds) | ((returns &- ones) & ~returns)) & 0x8080_8080_8080_8080
        if marked != 0 { return position &+ (marked.trailingZeroBitCount &>> 3) }
        position &+= 8
    }
    while position < end, bytes[position] != 0x0A, bytes[position] != 0x0D { position &+= 1 }
    return position
}
