/// A request refused before any handler saw it (the codec's refusals, a request that did not
/// arrive in time), for the access log and the request metrics.
struct RefusedRequest: Sendable {
    var error: ProxyError
    /// `UNKNOWN` when the request line did not parse.
    var method: String
    var requestID: String
    /// What had been read of it: the head, and the body so far.
    var bytesIn: Int
    /// `present` or `absent`, as in every access line.
    var authorization: String
}
