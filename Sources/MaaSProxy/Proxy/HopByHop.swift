import AccessCheck
import HTTP1

/// Hop-by-hop headers (RFC 9110 7.6.1, SPEC 5.3): they describe one connection, never the message.
enum HopByHop {
    /// Always dropped, in both directions.
    static let names: Set<String> = [
        "connection", "keep-alive", "proxy-authorization", "proxy-connection", "proxy-authenticate",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// The names the message's own `Connection` header lists (lowercased); usually none, so the
    /// common case allocates nothing beyond an empty set.
    static func connectionNamed(in headers: [HTTPHeader]) -> Set<String> {
        var named: Set<String> = []
        for header in headers where header.name.caseInsensitiveEquals("Connection") {
            for token in header.value.split(separator: ",") {
                let name = String(token).trimmingHTTPWhitespace().lowercased()
                if !name.isEmpty { named.insert(name) }
            }
        }
        return named
    }

    /// True for a header never forwarded: hop-by-hop, or listed in `connectionNamed`.
    static func isDropped(_ lowercasedName: String, connectionNamed: Set<String>) -> Bool {
        names.contains(lowercasedName) || connectionNamed.contains(lowercasedName)
    }
}

/// The upstream request's headers (SPEC 5.3), rewritten from what the client sent.
enum UpstreamHeaders {
    /// Only forgeable here: the platform sets them after authenticating, never a client.
    static let forgeable: Set<String> = ["x-maas-username", "x-maas-group"]
    /// Replaced by the proxy's own values (the body is re-framed; `Expect` is answered by the proxy).
    static let replaced: Set<String> = [
        "host", "content-length", "expect", "x-forwarded-proto", "x-forwarded-host", "x-request-id",
    ]

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
            let name = header.name.lowercased()
            if name == "host" && originalHost == nil { originalHost = header.value }
            if name == "x-forwarded-for" {
                forwardedFor.append(header.value)
                continue
            }
            // SPEC 5.3: the credential is forwarded as received; a `Connection` header naming it
            // must not strip it after admission read it (the backend still authenticates).
            let dropped =
                name == "authorization"
                ? false : HopByHop.isDropped(name, connectionNamed: connectionNamed)
            if dropped || forgeable.contains(name) || replaced.contains(name) { continue }
            headers.append(header)
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
            let name = header.name.lowercased()
            return !HopByHop.isDropped(name, connectionNamed: connectionNamed) && name != "x-request-id"
        }
    }

    /// The same, read from a parsed head.
    static func relayed(_ head: ResponseHead) -> [HTTPHeader] {
        relayed(head.fields.map { HTTPHeader(head.string($0.name), head.string($0.value)) })
    }

    /// The `Content-Length` value when there is exactly one and it is plain digits.
    static func contentLength(_ headers: [HTTPHeader]) -> Int? {
        var found: Int?
        for header in headers where header.name.caseInsensitiveEquals("Content-Length") {
            guard found == nil, let value = FramingCheck.decimal(header.value) else { return nil }
            found = value
        }
        return found
    }
}
