/// Methods the proxy serves; anything else is refused 501 (RequestRefusal.methodNotSupported).
public enum HTTPMethod: Sendable, Equatable {
    case get
    case head
    case post
    case put
    case delete
    case options
    case patch

    /// The method token as sent on the wire ("GET", ...). Methods are case-sensitive (RFC 9110 section 9.1).
    public var name: String { String(describing: token) }

    /// The method token as static bytes, for serializing without a `String`.
    public var token: StaticString {
        switch self {
        case .get: return "GET"
        case .head: return "HEAD"
        case .post: return "POST"
        case .put: return "PUT"
        case .delete: return "DELETE"
        case .options: return "OPTIONS"
        case .patch: return "PATCH"
        }
    }

    /// The method whose token is exactly `p[range]` (case-sensitive), or nil.
    static func match(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> HTTPMethod? {
        @inline(__always) func equals(_ token: StaticString) -> Bool {
            let start = token.utf8Start
            for i in 0..<token.utf8CodeUnitCount where p[range.lowerBound &+ i] != start[i] { return false }
            return true
        }
        // Dispatch on length first so each candidate costs at most a few compares.
        switch range.count {
        case 3: return equals("GET") ? .get : equals("PUT") ? .put : nil
        case 4: return equals("POST") ? .post : equals("HEAD") ? .head : nil
        case 5: return equals("PATCH") ? .patch : nil
        case 6: return equals("DELETE") ? .delete : nil
        case 7: return equals("OPTIONS") ? .options : nil
        default: return nil
        }
    }
}
