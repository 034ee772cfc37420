/// Serializes a message head by appending raw bytes: no `String` formatting, one growing array.
///
/// Names and values given as bytes are written as they are: pass bytes that a parser validated (slices of a
/// `RequestHead`'s or `ResponseHead`'s `bytes`) or constants. `String` values are from the proxy itself;
/// any CR, LF or other control byte in them (HTAB aside) is written as SP so that no value can split a head.
public struct HeadWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// `METHOD SP target SP HTTP/1.1 CRLF`.
    public mutating func requestLine(method: HTTPMethod, target: ArraySlice<UInt8>, version: HTTPVersion = .http11) {
        append(method.token)
        bytes.append(ASCII.sp)
        bytes.append(contentsOf: target)
        finishRequestLine(version)
    }

    /// `METHOD SP target SP HTTP/1.1 CRLF`.
    public mutating func requestLine(
        method: HTTPMethod,
        target: UnsafeRawBufferPointer,
        version: HTTPVersion = .http11
    ) {
        append(method.token)
        bytes.append(ASCII.sp)
        bytes.append(contentsOf: target)
        finishRequestLine(version)
    }

    /// `METHOD SP target SP HTTP/1.1 CRLF`; control bytes and SP in `target` are written as `_`, so the line
    /// keeps its three parts.
    public mutating func requestLine(method: HTTPMethod, target: String, version: HTTPVersion = .http11) {
        append(method.token)
        bytes.append(ASCII.sp)
        // A target has no spaces either: map them away too.
        for byte in target.utf8 {
            bytes.append(ASCII.flags(byte) & ASCII.lineStopFlag != 0 || byte == ASCII.sp ? 0x5F : byte)
        }
        finishRequestLine(version)
    }

    private mutating func finishRequestLine(_ version: HTTPVersion) {
        bytes.append(ASCII.sp)
        append(version.name)
        crlf()
    }

    /// `HTTP/1.1 SP status SP reason CRLF`; `status` is written as three digits (clamped to 100...999).
    public mutating func statusLine(_ status: Int, reason: StaticString, version: HTTPVersion = .http11) {
        statusCode(status, version)
        append(reason)
        crlf()
    }

    /// `HTTP/1.1 SP status SP reason CRLF`; `reason` is sanitized like a `String` value.
    public mutating func statusLine(_ status: Int, reason: String, version: HTTPVersion = .http11) {
        statusCode(status, version)
        appendSanitized(reason)
        crlf()
    }

    private mutating func statusCode(_ status: Int, _ version: HTTPVersion) {
        let code = min(max(status, 100), 999)
        append(version.name)
        bytes.append(ASCII.sp)
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + code / 100))
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + code / 10 % 10))
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + code % 10))
        bytes.append(ASCII.sp)
    }

    /// `name: value CRLF`.
    public mutating func field(_ name: StaticString, _ value: String) {
        append(name)
        colonSpace()
        appendSanitized(value)
        crlf()
    }

    /// `name: value CRLF` for a constant value.
    public mutating func field(_ name: StaticString, constant value: StaticString) {
        append(name)
        colonSpace()
        append(value)
        crlf()
    }

    /// `name: value CRLF` from validated bytes (e.g. a parsed head's `bytes[field.name]`).
    public mutating func field(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        bytes.append(contentsOf: name)
        colonSpace()
        bytes.append(contentsOf: value)
        crlf()
    }

    /// `name: value CRLF` from validated bytes.
    public mutating func field(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: name)
        colonSpace()
        bytes.append(contentsOf: value)
        crlf()
    }

    /// `name: <decimal> CRLF`, formatted without a `String`.
    public mutating func field(_ name: StaticString, decimal: Int) {
        append(name)
        colonSpace()
        appendDecimal(decimal)
        crlf()
    }

    /// The empty line ending the head.
    public mutating func end() {
        crlf()
    }

    /// Appends `value` in decimal (a leading '-' when negative).
    public mutating func appendDecimal(_ value: Int) {
        if value < 0 { bytes.append(0x2D) }
        // Work on the magnitude as UInt so Int.min has one too.
        var rest = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(truncatingIfNeeded: 0x30 &+ rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
    }

    /// Appends raw bytes as they are.
    public mutating func append(_ raw: StaticString) {
        raw.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func appendSanitized(_ text: String) {
        for byte in text.utf8 { bytes.append(ASCII.flags(byte) & ASCII.lineStopFlag != 0 ? ASCII.sp : byte) }
    }

    @inline(__always)
    private mutating func colonSpace() {
        bytes.append(ASCII.colon)
        bytes.append(ASCII.sp)
    }

    @inline(__always)
    private mutating func crlf() {
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
    }
}
