import AccessCheck

extension ServerExchange {
    /// Answers with one of the proxy's own errors (SPEC 5.5 shape), plus any extra headers.
    func respond(_ error: ProxyError, extraHeaders: [HTTPHeader] = []) {
        let headers = [HTTPHeader("Content-Type", "application/json")] + error.headers + extraHeaders
        respond(status: error.status, headers: headers, body: error.body)
    }
}
