/// Parses one field line (RFC 9112 section 5): `field-name ":" OWS field-value OWS`.
enum FieldLine {
    /// The outcome of `parse`.
    enum Parsed {
        /// The name's end (the colon's index) and the OWS-trimmed value.
        case field(nameEnd: Int, value: Range<Int>)
        case invalid(StaticString)
    }

    /// Parses `p[line]`, a line without its CRLF that `ASCII.findLineEnd` already cleared of control bytes
    /// (HTAB aside), so every byte left is a valid field-value byte (VCHAR, SP, HTAB, obs-text).
    /// `p[line.upperBound]` must be the line's CR: it stops the name scan without a bounds test.
    @inline(__always)
    /// Parses one field line and appends it to `fields` with ranges relative to `headStart` (the
    /// head's first byte); returns the name and value ranges in the buffer, or why it is invalid.
    static func record(
        _ p: UnsafePointer<UInt8>,
        _ line: Range<Int>,
        headStart: Int,
        into fields: inout [HeaderField]
    ) -> Result<(name: Range<Int>, value: Range<Int>), Invalid> {
        switch parse(p, line) {
        case .invalid(let why):
            return .failure(Invalid(reason: why))
        case .field(let nameEnd, let value):
            let name = line.lowerBound..<nameEnd
            fields.append(
                HeaderField(
                    name: (name.lowerBound &- headStart)..<(nameEnd &- headStart),
                    value: (value.lowerBound &- headStart)..<(value.upperBound &- headStart)
                )
            )
            return .success((name, value))
        }
    }

    /// Why a field line is refused.
    struct Invalid: Error {
        var reason: StaticString
    }

    static func parse(_ p: UnsafePointer<UInt8>, _ line: Range<Int>) -> Parsed {
        let end = line.upperBound
        var i = line.lowerBound
        let first = p[i]
        // RFC 9112 5.2: obs-fold must be refused by a server (or replaced; we refuse, like HAProxy).
        if ASCII.isOWS(first) { return .invalid("obsolete line folding") }
        // CR is not a tchar, so the scan stops at the line's end at the latest.
        while ASCII.isToken(p[i]) { i &+= 1 }
        guard i < end, p[i] == ASCII.colon else {
            // RFC 9112 5.1: no whitespace between name and colon; a server must refuse it (smuggling vector).
            if i < end && ASCII.isOWS(p[i]) { return .invalid("whitespace before colon in field line") }
            return .invalid("invalid field name")
        }
        if i == line.lowerBound { return .invalid("empty field name") }
        let nameEnd = i
        i &+= 1
        return .field(nameEnd: nameEnd, value: ASCII.trimOWS(p, i..<end))
    }
}
