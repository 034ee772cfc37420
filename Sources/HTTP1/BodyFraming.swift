/// How a message body is delimited (RFC 9112 section 6).
public enum BodyFraming: Sendable, Equatable {
    /// No body at all.
    case none
    /// Exactly this many bytes (Content-Length, RFC 9112 6.3 point 6); may be 0.
    case length(Int)
    /// The chunked transfer coding (RFC 9112 7.1).
    case chunked
    /// Everything until the peer closes (RFC 9112 6.3 point 8); responses only.
    case untilClose
}
