// An independent, plain reading of what UsageScanner documents (docs/token-usage.md), over the whole body
// at once: server-sent events split into lines and events as the HTML standard says, each event's data
// (or the JSON body) parsed into a tree by a strict RFC 8259 parser, the usage taken from the tree.
// It answers only when every text is valid JSON (or empty): for those the expected usage is unambiguous,
// whereas what counts from a malformed text is the scanner's own choice.
import Usage

enum ReferenceUsage {
    /// The usage the scanner must report for `body`, or nil when the reference cannot say.
    static func expected(_ body: [UInt8], _ format: UsageFormat) -> TokenUsage? {
        switch format {
        case .json:
            guard let value = JSONTree.parse(body[...]) else { return nil }
            var usage = TokenUsage()
            take(value, events: false, into: &usage)
            return usage
        case .eventStream:
            var usage = TokenUsage()
            for data in events(body) {
                if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A }) { continue }
                guard let value = JSONTree.parse(data[...]) else { return nil }
                take(value, events: true, into: &usage)
            }
            return usage
        }
    }

    /// Each event's data (its `data` lines joined by LF), the last one included even without the
    /// blank line that would dispatch it.
    static func events(_ body: [UInt8]) -> [[UInt8]] {
        var bytes = body[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = start
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                lines.append(bytes[start..<index])
                index += byte == 0x0D && index + 1 < bytes.endIndex && bytes[index + 1] == 0x0A ? 2 : 1
                start = index
            } else {
                index += 1
            }
        }
        if start < bytes.endIndex { lines.append(bytes[start...]) }
        var events: [[UInt8]] = []
        var data: [[UInt8]] = []
        for line in lines {
            if line.isEmpty {
                if !data.isEmpty { events.append(Array(data.joined(separator: [0x0A]))) }
                data = []
                continue
            }
            if line.first == UInt8(ascii: ":") { continue }
            let colon = line.firstIndex(of: UInt8(ascii: ":"))
            let name = colon.map { line[line.startIndex..<$0] } ?? line
            guard name.elementsEqual("data".utf8) else { continue }
            var value = colon.map { line[($0 + 1)...] } ?? []
            if value.first == 0x20 { value = value.dropFirst() }
            data.append(Array(value))
        }
        if !data.isEmpty { events.append(Array(data.joined(separator: [0x0A]))) }
        return events
    }

    /// SPEC 7's paths, members in order, the last reported value of each field winning.
    static func take(_ text: JSONTree, events: Bool, into usage: inout TokenUsage) {
        guard case .object(let members) = text else { return }
        for (name, value) in members {
            if name == Array("usage".utf8) { takeUsage(value, into: &usage) }
            if events, name == Array("response".utf8) || name == Array("message".utf8), case .object(let inner) = value
            {
                for (innerName, innerValue) in inner where innerName == Array("usage".utf8) {
                    takeUsage(innerValue, into: &usage)
                }
            }
        }
    }

    static func takeUsage(_ value: JSONTree, into usage: inout TokenUsage) {
        guard case .object(let fields) = value else { return }
        for (name, field) in fields {
            switch String(decoding: name, as: UTF8.self) {
            case "prompt_tokens", "input_tokens":
                if let count = count(field) { usage.input = count }
            case "completion_tokens", "output_tokens":
                if let count = count(field) { usage.output = count }
            case "cache_read_input_tokens":
                if let count = count(field) { usage.cachedInput = count }
            case "prompt_tokens_details", "input_tokens_details":
                guard case .object(let details) = field else { continue }
                for (detail, detailValue) in details where detail == Array("cached_tokens".utf8) {
                    if let count = count(detailValue) { usage.cachedInput = count }
                }
            default:
                continue
            }
        }
    }

    /// A token count: a non-negative JSON integer of at most 18 digits.
    static func count(_ value: JSONTree) -> Int? {
        guard case .number(let text) = value, !text.isEmpty, text.count <= 18,
            text.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return text.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}

/// A JSON value as RFC 8259 defines it; names decoded to UTF-8 bytes, numbers as written.
indirect enum JSONTree {
    case object([(name: [UInt8], value: JSONTree)])
    case array([JSONTree])
    case string
    case number([UInt8])
    case literal

    /// The one value of `text` (whitespace around it allowed), or nil when `text` is not exactly one valid
    /// JSON text, is not UTF-8, or nests deeper than 64 (then the reference does not answer either).
    static func parse(_ text: ArraySlice<UInt8>) -> JSONTree? {
        guard String(validating: text, as: UTF8.self) != nil else { return nil }
        var parser = Parser(bytes: Array(text))
        parser.skipWhitespace()
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.index == parser.bytes.count ? value : nil
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func value(depth: Int) -> JSONTree? {
            guard depth < 64, let byte = peek() else { return nil }
            switch byte {
            case UInt8(ascii: "{"):
                index += 1
                skipWhitespace()
                var members: [(name: [UInt8], value: JSONTree)] = []
                if peek() == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                while true {
                    skipWhitespace()
                    guard peek() == UInt8(ascii: "\""), let name = string() else { return nil }
                    skipWhitespace()
                    guard peek() == UInt8(ascii: ":") else { return nil }
                    index += 1
                    skipWhitespace()
                    guard let member = value(depth: depth + 1) else { return nil }
                    members.append((name, member))
                    skipWhitespace()
                    guard let next = peek() else { return nil }
                    index += 1
                    if next == UInt8(ascii: "}") { return .object(members) }
                    guard next == UInt8(ascii: ",") else { return nil }
                }
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                var elements: [JSONTree] = []
                if peek() == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                }
                while true {
                    skipWhitespace()
                    guard let element = value(depth: depth + 1) else { return nil }
                    elements.append(element)
                    skipWhitespace()
                    guard let next = peek() else { return nil }
                    index += 1
                    if next == UInt8(ascii: "]") { return .array(elements) }
                    guard next == UInt8(ascii: ",") else { return nil }
                }
            case UInt8(ascii: "\""):
                return string() == nil ? nil : .string
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                for literal in ["true", "false", "null"] where bytes[index...].starts(with: literal.utf8) {
                    index += literal.utf8.count
                    return .literal
                }
                return nil
            default:
                return number()
            }
        }

        /// A string from its opening quote; its decoded bytes (a lone surrogate as U+FFFD).
        mutating func string() -> [UInt8]? {
            index += 1
            var decoded: [UInt8] = []
            while let byte = peek() {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return decoded
                case 0..<0x20:
                    return nil
                case UInt8(ascii: "\\"):
                    guard let escape = peek() else { return nil }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                    case UInt8(ascii: "b"): decoded.append(0x08)
                    case UInt8(ascii: "f"): decoded.append(0x0C)
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count,
                            let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16),
                            bytes[index..<(index + 4)].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") }
                            )
                        else { return nil }
                        index += 4
                        decoded.append(contentsOf: Array(String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8))
                    default:
                        return nil
                    }
                default:
                    decoded.append(byte)
                }
            }
            return nil
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() -> JSONTree? {
            let start = index
            func digits() -> Int {
                let from = index
                while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
                return index - from
            }
            if peek() == UInt8(ascii: "-") { index += 1 }
            if peek() == UInt8(ascii: "0") {
                index += 1
            } else if digits() == 0 {
                return nil
            }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { return nil }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                index += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return nil }
            }
            return .number(Array(bytes[start..<index]))
        }
    }
}
