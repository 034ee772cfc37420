import Logging

/// Text-to-value parsing shared by the configuration file and the flags, so both accept and
/// refuse exactly the same spellings (durations and addresses have their own parsers).
enum ScalarParser {
    static let logLevelExpectation =
        "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    /// A decimal integer, optionally signed, `_` allowed between digits (`100_000`).
    ///
    /// Hex, octal and floats are refused: sizes and counts are written in plain decimal.
    static func integer(_ text: String, expected: String = "an integer") throws(ConfigurationValueError) -> Int {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard let first = digits.first, first.isASCII, first.isNumber, let last = digits.last, last.isASCII,
            last.isNumber, digits.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" })
        else { throw ConfigurationValueError(expected: expected, got: text) }
        guard let magnitude = Int(digits.filter { $0 != "_" }) else {
            throw ConfigurationValueError(expected: expected, got: text, detail: "too large")
        }
        return negative ? -magnitude : magnitude
    }

    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical` (swift-log's levels).
    static func logLevel(_ text: String) throws(ConfigurationValueError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text) else {
            throw ConfigurationValueError(expected: logLevelExpectation, got: text)
        }
        return level
    }
}
