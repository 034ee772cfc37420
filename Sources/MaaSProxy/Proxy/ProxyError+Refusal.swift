import HTTP1

extension ProxyError {
    /// The answer to a request the codec refused (SPEC 5.5), its message naming the limit that applied.
    static func refusal(_ refusal: RequestRefusal, limits: HTTPServerLimits) -> ProxyError {
        switch refusal {
        case .badRequest: return .badRequest
        case .versionNotSupported: return .httpVersionNotSupported
        case .methodNotSupported: return .methodNotImplemented
        case .headersTooLarge:
            var error = ProxyError.headersTooLarge
            error.message = "The request line and headers are larger than \(limits.maxHeaderBytes) bytes."
            return error
        case .bodyTooLarge:
            var error = ProxyError.requestTooLarge
            error.message = "The request body is larger than \(limits.maxBodyBytes) bytes."
            return error
        }
    }
}
