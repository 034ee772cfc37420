import AccessCheck
import HTTP1

/// Writes the head of an answer the proxy sends a client: status line, the given fields, and the
/// framing and connection fields of its own (never the caller's: SPEC 5.4 re-frames every message).
enum AnswerHead {
    enum ConnectionField {
        /// HTTP/1.1 keep-alive: no field.
        case none
        /// An HTTP/1.0 client that asked for keep-alive.
        case keepAlive
        case close
    }

    enum Framing {
        case contentLength(Int)
        case chunked
        /// HTTP/1.0 streams: the body ends when the connection closes.
        case closeDelimited
        /// 1xx, 204, 304: no body and no length.
        case bodiless
    }

    /// Fields a caller never sets: the framing and the connection are the proxy's own.
    static func isOwnField(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            switch bytes.count {
            case 10: return ASCIICase.equal(bytes, lowercased: "connection")
            case 12: return ASCIICase.equal(bytes, lowercased: "x-request-id")
            case 14: return ASCIICase.equal(bytes, lowercased: "content-length")
            case 17: return ASCIICase.equal(bytes, lowercased: "transfer-encoding")
            default: return false
            }
        }
    }

    static func write(
        status: Int,
        headers: [HTTPHeader],
        requestID: String,
        contentLength: Int,
        connection: ConnectionField,
        into output: ByteBuffer
    ) {
        write(
            status: status,
            headers: headers,
            requestID: requestID,
            framing: .contentLength(contentLength),
            connection: connection,
            into: output
        )
    }

    static func write(
        status: Int,
        headers: [HTTPHeader],
        requestID: String,
        framing: Framing,
        connection: ConnectionField,
        into output: ByteBuffer
    ) {
        writeStatusLine(status, into: output)
        for header in headers where !isOwnField(header.name) {
            output.appendField(header.name, header.value)
        }
        writeOwnFields(requestID: requestID, framing: framing, connection: connection, into: output)
    }

    /// The head of a backend's answer as relayed (SPEC 5.4), copied from its bytes field by field:
    /// hop-by-hop fields, the fields its `Connection` names and its `X-Request-Id` are dropped, and
    /// the framing and connection fields are the proxy's own.
    static func writeRelayed(
        _ head: ResponseHead,
        requestID: String,
        framing: Framing,
        connection: ConnectionField,
        into output: ByteBuffer
    ) {
        writeStatusLine(head.status, into: output)
        let named = HopByHop.connectionNamed(in: head)
        head.bytes.withUnsafeBytes { bytes in
            for field in head.fields {
                let name = UnsafeRawBufferPointer(rebasing: bytes[field.name])
                switch HeaderRole(bytes: name) {
                case .hopByHop, .requestID:
                    continue
                case .replaced where name.count == 14:
                    continue  // Content-Length: the framing written below is the one that holds.
                default:
                    if !named.isEmpty && HopByHop.isNamed(field.name, by: named, in: bytes) { continue }
                    ForwardedHead.copyLine(field, from: bytes, into: output)
                }
            }
        }
        writeOwnFields(requestID: requestID, framing: framing, connection: connection, into: output)
    }

    private static func writeStatusLine(_ status: Int, into output: ByteBuffer) {
        // Always HTTP/1.1: a server answers with the highest version it supports (RFC 9110 2.5).
        output.append("HTTP/1.1 ")
        output.appendDecimal(status)
        output.append(" ")
        output.append(string: HTTPStatus.reason(status))
        output.append("\r\n")
    }

    private static func writeOwnFields(
        requestID: String,
        framing: Framing,
        connection: ConnectionField,
        into output: ByteBuffer
    ) {
        output.append("X-Request-Id: ")
        output.append(string: requestID)
        output.append("\r\n")
        switch framing {
        case .contentLength(let length):
            output.append("Content-Length: ")
            output.appendDecimal(length)
            output.append("\r\n")
        case .chunked:
            output.append("Transfer-Encoding: chunked\r\n")
        case .closeDelimited, .bodiless:
            break
        }
        switch connection {
        case .none: break
        case .keepAlive: output.append("Connection: keep-alive\r\n")
        case .close: output.append("Connection: close\r\n")
        }
        output.append("\r\n")
    }
}
