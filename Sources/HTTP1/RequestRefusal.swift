/// Why a request is refused; `status` and `code` are the SPEC error's (JSON body built elsewhere); `reason` is for the log.
public enum RequestRefusal: Error, Sendable, Equatable {
    /// 400 bad_request; the associated text says which rule was broken.
    case badRequest(String)
    /// 505 http_version_not_supported.
    case versionNotSupported
    /// 431 headers_too_large.
    case headersTooLarge
    /// 413 request_too_large.
    case bodyTooLarge
    /// 501 method_not_supported (the method token, sanitized, for the log).
    case methodNotSupported(String)

    /// The HTTP status code to answer with.
    public var status: Int {
        switch self {
        case .badRequest: return 400
        case .versionNotSupported: return 505
        case .headersTooLarge: return 431
        case .bodyTooLarge: return 413
        case .methodNotSupported: return 501
        }
    }

    /// The SPEC error code for the JSON body.
    public var code: String {
        switch self {
        case .badRequest: return "bad_request"
        case .versionNotSupported: return "http_version_not_supported"
        case .headersTooLarge: return "headers_too_large"
        case .bodyTooLarge: return "request_too_large"
        case .methodNotSupported: return "method_not_supported"
        }
    }
}
