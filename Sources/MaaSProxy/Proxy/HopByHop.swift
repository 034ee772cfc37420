import AccessCheck
import HTTP1

/// Hop-by-hop headers (RFC 9110 7.6.1, SPEC 5.3): they describe one connection, never the message.
enum HopByHop {
    /// The names the message's own `Connection` header lists (lowercased), besides `close` and
    /// `keep-alive` (which name no field worth dropping); usually none, so the common case
    /// allocates nothing beyond an empty set.
    static func connectionNamed(in headers: [HTTPHeader]) -> Set<String> {
        var named: Set<String> = []
        for header in headers where header.name.caseInsensitiveEquals("Connection") {
            addTokens(of: header.value, to: &named)
        }
        return named
    }

    /// Adds the field names one `Connection` value lists. Tokens are found on the bytes, so the
    /// usual `keep-alive` or `close` costs no string at all.
    static func addTokens(of value: String, to named: inout Set<String>) {
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
                var first = start
                var last = end
                while first < last && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
                while last > first && (bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09) { last -= 1 }
                let token = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[first..<last])
                if !token.isEmpty && !ASCIICase.equal(token, lowercased: "close")
                    && !ASCIICase.equal(token, lowercased: "keep-alive")
                {
                    named.insert(String(decoding: token, as: UTF8.self).lowercased())
                }
                start = end + 1
            }
        }
    }
}

/// What a field name means to the proxy, decided from its bytes without building a lowercased copy
/// (this runs for every field of every forwarded request and answer).
enum HeaderRole: Equatable {
    /// Always dropped, in both directions (RFC 9110 7.6.1).
    case hopByHop
    /// `X-MaaS-Username`, `X-MaaS-Group`: only forgeable here, the platform sets them.
    case forgeable
    /// Replaced by the proxy's own value (the body is re-framed; `Expect` is answered by the proxy).
    case replaced
    case host
    case forwardedFor
    case requestID
    case authorization
    case other

    init(_ name: String) {
        var name = name
        self = name.withUTF8 { HeaderRole(bytes: UnsafeRawBufferPointer($0)) }
    }

    init(bytes name: UnsafeRawBufferPointer) {
        func named(_ lowercased: StaticString) -> Bool { ASCIICase.equal(name, lowercased: lowercased) }
        switch name.count {
        case 2 where named("te"): self = .hopByHop
        case 4 where named("host"): self = .host
        case 6 where named("expect"): self = .replaced
        case 7 where named("trailer"), 7 where named("upgrade"): self = .hopByHop
        case 10 where named("connection"), 10 where named("keep-alive"): self = .hopByHop
        case 12 where named("x-maas-group"): self = .forgeable
        case 12 where named("x-request-id"): self = .requestID
        case 13 where named("authorization"): self = .authorization
        case 14 where named("content-length"): self = .replaced
        case 15 where named("x-maas-username"): self = .forgeable
        case 15 where named("x-forwarded-for"): self = .forwardedFor
        case 16 where named("x-forwarded-host"): self = .replaced
        case 16 where named("proxy-connection"): self = .hopByHop
        case 17 where named("transfer-encoding"), 17 where named("x-forwarded-proto"):
            self = named("transfer-encoding") ? .hopByHop : .replaced
        case 18 where named("proxy-authenticate"): self = .hopByHop
        case 19 where named("proxy-authorization"): self = .hopByHop
        default: self = .other
        }
    }
}

/// The upstream request's headers (SPEC 5.3), rewritten from what the client sent.
enum UpstreamHeaders {
    /// - Parameters:
    ///   - host: the endpoint's `Host` value.
    ///   - clientAddress: the peer address, appended to `X-Forwarded-For`.
    ///   - scheme: `http` or `https`, the listener's (`X-Forwarded-Proto`).
    ///   - bodyLength: the re-framed body's length; nil sends no `Content-Length` (body-less methods).
    static func rewrite(
        _ received: [HTTPHeader],
        host: String,
        clientAddress: String,
        scheme: String,
        requestID: String,
        bodyLength: Int?
    ) -> [HTTPHeader] {
        let connectionNamed = HopByHop.connectionNamed(in: received)
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(received.count + 5)
        headers.append(HTTPHeader("Host", host))
        var forwardedFor: [String] = []
        var originalHost: String?
        for header in received {
            switch HeaderRole(header.name) {
            case .host:
                if originalHost == nil { originalHost = header.value }
            case .forwardedFor:
                forwardedFor.append(header.value)
            case .hopByHop, .forgeable, .replaced, .requestID:
                break
            case .authorization:
                // SPEC 5.3: the credential is forwarded as received; a `Connection` header naming
                // it must not strip it after admission read it (the backend still authenticates).
                headers.append(header)
            case .other:
                if connectionNamed.isEmpty || !connectionNamed.contains(header.name.lowercased()) {
                    headers.append(header)
                }
            }
        }
        if !clientAddress.isEmpty { forwardedFor.append(clientAddress) }
        if !forwardedFor.isEmpty { headers.append(HTTPHeader("X-Forwarded-For", forwardedFor.joined(separator: ", "))) }
        headers.append(HTTPHeader("X-Forwarded-Proto", scheme))
        if let originalHost { headers.append(HTTPHeader("X-Forwarded-Host", originalHost)) }
        headers.append(HTTPHeader("X-Request-Id", requestID))
        if let bodyLength { headers.append(HTTPHeader("Content-Length", String(bodyLength))) }
        return headers
    }
}

/// The backend's response headers as relayed to the client (SPEC 5.4).
enum ResponseHeaders {
    /// Hop-by-hop dropped; the backend's `X-Request-Id` gives way to the proxy's (added on send).
    static func relayed(_ received: [HTTPHeader]) -> [HTTPHeader] {
        let connectionNamed = HopByHop.connectionNamed(in: received)
        return received.filter { header in
            switch HeaderRole(header.name) {
            case .hopByHop, .requestID: return false
            default: return connectionNamed.isEmpty || !connectionNamed.contains(header.name.lowercased())
            }
        }
    }

    /// The same, read from a parsed head: strings are made only for the fields relayed.
    static func relayed(_ head: ResponseHead) -> [HTTPHeader] {
        var connectionNamed: Set<String> = []
        var relayed: [HTTPHeader] = []
        relayed.reserveCapacity(head.fields.count)
        head.bytes.withUnsafeBytes { bytes in
            for field in head.fields {
                switch HeaderRole(bytes: UnsafeRawBufferPointer(rebasing: bytes[field.name])) {
                case .hopByHop:
                    if head.nameEquals(field, "connection") {
                        HopByHop.addTokens(of: head.string(field.value), to: &connectionNamed)
                    }
                case .requestID:
                    break
                default:
                    relayed.append(HTTPHeader(head.string(field.name), head.string(field.value)))
                }
            }
        }
        guard !connectionNamed.isEmpty else { return relayed }
        return relayed.filter { !connectionNamed.contains($0.name.lowercased()) }
    }
}
