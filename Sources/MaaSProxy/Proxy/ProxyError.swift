import AccessCheck

/// Every error the proxy itself answers with, in one table (SPEC 5.5).
///
/// A backend's own error responses are relayed untouched and never pass through here.
struct ProxyError: Error, Hashable, Sendable {
    var status: Int
    var type: String
    var code: String
    var message: String
    /// Extra response headers, such as `Retry-After` or `Allow`.
    var headers: [HTTPHeader] = []

    static let catalogNotLoaded = ProxyError(
        status: 503,
        type: "service_unavailable",
        code: "catalog_not_loaded",
        message: "The model catalog is not loaded yet; retry shortly.",
        headers: [HTTPHeader("Retry-After", "1")]
    )
    static let routeNotFound = ProxyError(
        status: 404,
        type: "invalid_request_error",
        code: "route_not_found",
        message: "No model serves this path."
    )
    static let authorizationRequired = ProxyError(
        status: 401,
        type: "authentication_error",
        code: "authorization_required",
        message: "Authorization required"
    )
    static let requestTooLarge = ProxyError(
        status: 413,
        type: "invalid_request_error",
        code: "request_too_large",
        message: "The request body is too large."
    )
    static let headersTooLarge = ProxyError(
        status: 431,
        type: "invalid_request_error",
        code: "headers_too_large",
        message: "The request headers are too large."
    )
    static func requestTimeout(after timeout: Duration) -> ProxyError {
        ProxyError(
            status: 408,
            type: "invalid_request_error",
            code: "request_timeout",
            message: "The request did not arrive within \(DurationParser.format(timeout))."
        )
    }
    static let methodNotImplemented = ProxyError(
        status: 501,
        type: "invalid_request_error",
        code: "method_not_supported",
        message: "The request method is not supported."
    )
    static let badRequest = ProxyError(
        status: 400,
        type: "invalid_request_error",
        code: "bad_request",
        message: "The request is not well-formed HTTP/1.1."
    )

    static let invalidJSON = ProxyError(
        status: 400,
        type: "invalid_request_error",
        code: "invalid_json",
        message: "The request body is not valid JSON."
    )
    static let missingModel = ProxyError(
        status: 400,
        type: "invalid_request_error",
        code: "missing_model",
        message: "The request body has no \"model\" string."
    )
    static let modelNotFound = ProxyError(
        status: 404,
        type: "invalid_request_error",
        code: "model_not_found",
        message: "The model does not exist or you do not have access to it."
    )
    /// `urls`: what the caller's listing shows for each model serving the id (SPEC 3.3, 5.1).
    static func ambiguousModel(urls: [String]) -> ProxyError {
        ProxyError(
            status: 400,
            type: "invalid_request_error",
            code: "ambiguous_model",
            message: "Several models you may use serve this id; call one of their urls instead: "
                + urls.joined(separator: ", ")
        )
    }
    static let invalidCredentials = ProxyError(
        status: 401,
        type: "authentication_error",
        code: "invalid_credentials",
        message: "The backend refused these credentials."
    )
    static let modelAccessDenied = ProxyError(
        status: 403,
        type: "permission_error",
        code: "model_access_denied",
        message: "You do not have access to this model."
    )
    static let modelNotReady = ProxyError(
        status: 503,
        type: "service_unavailable",
        code: "model_not_ready",
        message: "The model is not ready; retry shortly.",
        headers: [HTTPHeader("Retry-After", "5")]
    )
    static let upstreamUnavailable = ProxyError(
        status: 502,
        type: "upstream_error",
        code: "upstream_unavailable",
        message: "The model backend could not be reached."
    )
    static let upstreamTimeout = ProxyError(
        status: 504,
        type: "upstream_error",
        code: "upstream_timeout",
        message: "The model backend did not answer in time."
    )

    static let httpVersionNotSupported = ProxyError(
        status: 505,
        type: "invalid_request_error",
        code: "http_version_not_supported",
        message: "Only HTTP/1.0 and HTTP/1.1 are supported."
    )

    static func methodNotAllowed(allow: String) -> ProxyError {
        ProxyError(
            status: 405,
            type: "invalid_request_error",
            code: "method_not_allowed",
            message: "Method not allowed; use \(allow).",
            headers: [HTTPHeader("Allow", allow)]
        )
    }

    /// `{"error":{"message":"…","type":"…","param":null,"code":"…"}}` (SPEC 5.5).
    var body: [UInt8] {
        var json = JSONWriter()
        json.object {
            $0.key("error")
            $0.object { error in
                error.field("message", message)
                error.field("type", type)
                error.key("param")
                error.null()
                error.field("code", code)
            }
        }
        return json.bytes
    }
}
