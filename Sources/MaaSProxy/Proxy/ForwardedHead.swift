import HTTP1

/// The head of a forwarded request as it goes upstream (SPEC 5.3), written from the client's head
/// bytes straight into the connection's output: no `String` per field, only the fields the proxy
/// adds are its own.
///
/// Rewriting: `Host` is the endpoint's; hop-by-hop fields, the fields the client's `Connection`
/// names (never `Authorization`), `X-MaaS-Username`/`-Group`, `Expect`, the client's framing and
/// `X-Forwarded-Host`/`-Proto`/`X-Request-Id` are dropped; `X-Forwarded-For` gets the peer
/// appended; `X-Forwarded-Proto`, `X-Forwarded-Host` (the client's `Host`), `X-Request-Id` and the
/// body's framing are added.
struct ForwardedHead: Sendable {
    /// How the forwarded body is framed (the proxy re-frames every message, SPEC 5.4).
    enum BodyFraming: Sendable, Equatable {
        /// A body-less method's request: no length field.
        case none
        case length(Int)
        case chunked
    }

    /// The client's head, as received.
    var received: RequestHead
    var method: String
    /// Origin-form, with the query.
    var target: String
    /// The endpoint's `Host` value.
    var host: String
    /// The peer address appended to `X-Forwarded-For`; empty for none.
    var clientAddress: String
    /// `http` or `https`, the listener's (`X-Forwarded-Proto`).
    var scheme: String
    var requestID: String
    var body: BodyFraming

    func write(into output: ByteBuffer) {
        output.append(string: method)
        output.append(" ")
        output.append(string: target)
        output.append(" HTTP/1.1\r\nHost: ")
        output.append(string: host)
        output.append("\r\n")
        let head = received
        let named = HopByHop.connectionNamed(in: head)
        head.bytes.withUnsafeBytes { bytes in
            var forwardedFor = false
            var originalHost: Range<Int>?
            for field in head.fields {
                switch HeaderRole(bytes: UnsafeRawBufferPointer(rebasing: bytes[field.name])) {
                case .host:
                    if originalHost == nil { originalHost = field.value }
                case .forwardedFor:
                    forwardedFor = true
                case .hopByHop, .forgeable, .replaced, .requestID:
                    break
                case .authorization:
                    // SPEC 5.3: the credential is forwarded as received; a `Connection` header naming
                    // it must not strip it after admission read it (the backend still authenticates).
                    Self.copyLine(field, from: bytes, into: output)
                case .other:
                    if named.isEmpty || !HopByHop.isNamed(field.name, by: named, in: bytes) {
                        Self.copyLine(field, from: bytes, into: output)
                    }
                }
            }
            if forwardedFor || !clientAddress.isEmpty {
                output.append("X-Forwarded-For: ")
                var first = true
                if forwardedFor {
                    for field in head.fields where field.name.count == 15 && head.nameEquals(field, "x-forwarded-for") {
                        if !first { output.append(", ") }
                        output.append(UnsafeRawBufferPointer(rebasing: bytes[field.value]))
                        first = false
                    }
                }
                if !clientAddress.isEmpty {
                    if !first { output.append(", ") }
                    output.append(string: clientAddress)
                }
                output.append("\r\n")
            }
            output.append("X-Forwarded-Proto: ")
            output.append(string: scheme)
            output.append("\r\n")
            if let originalHost {
                output.append("X-Forwarded-Host: ")
                output.append(UnsafeRawBufferPointer(rebasing: bytes[originalHost]))
                output.append("\r\n")
            }
        }
        output.append("X-Request-Id: ")
        output.append(string: requestID)
        output.append("\r\n")
        switch body {
        case .none: break
        case .length(let length):
            output.append("Content-Length: ")
            output.appendDecimal(length)
            output.append("\r\n")
        case .chunked:
            output.append("Transfer-Encoding: chunked\r\n")
        }
        output.append("\r\n")
    }

    /// A field as the client sent it: its name, colon and value in one copy (the codec refused
    /// anything but `name ":" OWS value`; trailing whitespace is not part of the value's range).
    static func copyLine(_ field: HeaderField, from bytes: UnsafeRawBufferPointer, into output: ByteBuffer) {
        output.append(UnsafeRawBufferPointer(rebasing: bytes[field.name.lowerBound..<field.value.upperBound]))
        output.append("\r\n")
    }
}
