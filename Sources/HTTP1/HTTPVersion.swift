/// The HTTP versions the codec speaks (RFC 9112 section 2.3). Anything else is refused.
public enum HTTPVersion: Sendable, Equatable {
    case http10
    case http11

    /// The version as it appears on the wire, `HTTP/1.0` or `HTTP/1.1`.
    public var name: StaticString {
        switch self {
        case .http10: return "HTTP/1.0"
        case .http11: return "HTTP/1.1"
        }
    }
}
