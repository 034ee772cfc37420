import Routing

extension ProxyError {
    /// A `multipart/form-data` body the proxy cannot read a `model` from (SPEC 5.1 step 2):
    /// `400 bad_request` (SPEC 5.5), its message naming the rule the body broke.
    static func malformedForm(_ fault: MultipartFault) -> ProxyError {
        var error = ProxyError.badRequest
        error.message = "The multipart/form-data body is malformed: \(fault)."
        return error
    }
}
