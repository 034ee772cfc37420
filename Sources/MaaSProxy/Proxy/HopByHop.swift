import AccessCheck
import HTTP1

/// Hop-by-hop headers (RFC 9110 7.6.1, SPEC 5.3): they describe one connection, never the message.
enum HopByHop {
    /// The field names a head's own `Connection` fields list, as ranges into its bytes, besides
    /// `close` and `keep-alive` (which name no field worth dropping). Usually none: then nothing
    /// is allocated.
    static func connectionNamed(in head: some ParsedHead) -> [Range<Int>] {
        var named: [Range<Int>] = []
        head.bytes.withUnsafeBytes { bytes in
            for field in head.fields where field.name.count == 10 && head.nameEquals(field, "connection") {
                var start = field.value.lowerBound
                let end = field.value.upperBound
                while start < end {
                    var stop = start
                    while stop < end && bytes[stop] != UInt8(ascii: ",") { stop += 1 }
                    var first = start
                    var last = stop
                    while first < last && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
                    while last > first && (bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09) { last -= 1 }
                    let token = UnsafeRawBufferPointer(rebasing: bytes[first..<last])
                    if !token.isEmpty && !ASCIICase.equal(token, lowercased: "close")
                        && !ASCIICase.equal(token, lowercased: "keep-alive")
                    {
                        named.append(first..<last)
                    }
                    start = stop + 1
                }
            }
        }
        return named
    }

    /// Whether `name` (bytes of the head) is one of the `named` tokens, ignoring ASCII case.
    static func isNamed(_ name: Range<Int>, by named: [Range<Int>], in bytes: UnsafeRawBufferPointer) -> Bool {
        let field = UnsafeRawBufferPointer(rebasing: bytes[name])
        return named.contains { ASCIICase.equal(field, UnsafeRawBufferPointer(rebasing: bytes[$0])) }
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
