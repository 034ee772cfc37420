/// Why one configuration value was refused, without saying where it came from.
///
/// The file reader or the flag parser adds the dotted key or the flag name (`ConfigurationProblem`).
struct ConfigurationValueError: Error, Equatable, CustomStringConvertible {
    var message: String

    init(message: String) {
        self.message = message
    }

    /// `expected <expected>, got "<got>"`, then `: <detail>` when there is one.
    init(expected: String, got: String, detail: String? = nil) {
        var message = "expected \(expected), got \(Self.quoted(got))"
        if let detail { message += ": \(detail)" }
        self.message = message
    }

    var description: String { message }

    /// `text` in double quotes, with quotes, backslashes and control characters escaped so a
    /// message stays on one line whatever the operator wrote.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
