/// Reads and writes the durations of the configuration file and flags (SPEC 6): `15s`, `500ms`, `2m`.
///
/// A duration is one or more `<number><unit>` parts, Go-style: `1.5s`, `250us`, `1m30s`.
/// Units: `ns`, `us` (also `µs`), `ms`, `s`, `m`, `h`. Decimals are allowed; a sign is not
/// (durations are never negative) and a bare number is refused, because `15` could mean
/// seconds or milliseconds. Precision is one nanosecond; finer fractions are truncated.
enum DurationParser {
    /// The example shown in every error message.
    static let expectation = "a duration like \"15s\""

    /// Nanoseconds per unit, as written after the number.
    private static let units: [String: Int64] = [
        "ns": 1,
        "us": 1_000,
        "µs": 1_000,  // U+00B5 MICRO SIGN
        "μs": 1_000,  // U+03BC GREEK SMALL LETTER MU
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    /// Units used by `format`, largest first.
    private static let formatUnits: [(name: String, nanoseconds: Int64)] = [
        ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000),
        ("ns", 1),
    ]

    private static let unitList = "ns, us, ms, s, m or h"

    static func parse(_ text: String) throws(ConfigurationValueError) -> Duration {
        func failure(_ detail: String? = nil) -> ConfigurationValueError {
            ConfigurationValueError(expected: expectation, got: text, detail: detail)
        }
        if text.hasPrefix("-") { throw failure("a duration cannot be negative") }
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { throw failure() }
        var total: Int64 = 0
        var index = 0
        while index < scalars.count {
            // The number: digits, optionally a fraction.
            var whole: Int64 = 0
            var fraction: Int64 = 0
            var fractionScale: Int64 = 1
            var digitCount = 0
            while index < scalars.count, let digit = digitValue(scalars[index]) {
                let (times10, overflow1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(digit)
                if overflow1 || overflow2 { throw failure("too large") }
                whole = sum
                digitCount += 1
                index += 1
            }
            if index < scalars.count, scalars[index] == "." {
                index += 1
                while index < scalars.count, let digit = digitValue(scalars[index]) {
                    // 18 digits are far below a nanosecond for every unit; the rest is truncated.
                    if fractionScale < 1_000_000_000_000_000_000 {
                        fraction = fraction * 10 + digit
                        fractionScale *= 10
                    }
                    digitCount += 1
                    index += 1
                }
            }
            guard digitCount > 0 else { throw failure() }

            // The unit: everything up to the next number.
            var unit = String.UnicodeScalarView()
            while index < scalars.count, digitValue(scalars[index]) == nil, scalars[index] != "." {
                unit.append(scalars[index])
                index += 1
            }
            let unitName = String(unit)
            guard !unitName.isEmpty else { throw failure("the unit is required (\(unitList))") }
            guard let nanosecondsPerUnit = units[unitName] else {
                throw failure("unknown unit \(ConfigurationValueError.quoted(unitName)); use \(unitList)")
            }

            let (wholeNanoseconds, overflow1) = whole.multipliedReportingOverflow(by: nanosecondsPerUnit)
            // fraction × unit can exceed Int64 (18 digits × 3.6e12), hence the full-width product.
            let product = fraction.multipliedFullWidth(by: nanosecondsPerUnit)
            let fractionNanoseconds = fractionScale.dividingFullWidth(product).quotient
            let (partial, overflow2) = wholeNanoseconds.addingReportingOverflow(fractionNanoseconds)
            let (sum, overflow3) = total.addingReportingOverflow(partial)
            if overflow1 || overflow2 || overflow3 { throw failure("too large") }
            total = sum
        }
        return .nanoseconds(total)
    }

    /// The shortest exact spelling in one unit: `15s`, `500ms`, `90s`, `0s`.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let (secondsInNanoseconds, overflow1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanoseconds, overflow2) = secondsInNanoseconds.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow1 || overflow2 { return "\(seconds)s" }
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        for unit in formatUnits where magnitude % UInt64(unit.nanoseconds) == 0 {
            return "\(sign)\(magnitude / UInt64(unit.nanoseconds))\(unit.name)"
        }
        return "\(sign)\(magnitude)ns"
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> Int64? {
        guard scalar >= "0", scalar <= "9" else { return nil }
        return Int64(scalar.value - 48)
    }
}
