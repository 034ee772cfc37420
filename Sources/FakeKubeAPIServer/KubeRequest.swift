import CLibevent

/// One request handed over by evhttp, copied into Swift values; `request` stays valid only until it is answered.
struct KubeRequest {
    let request: OpaquePointer
    let method: String
    /// The URI without its query string.
    let path: String
    /// Decoded query parameters; the first of repeated names wins.
    let query: [String: String]
    let body: [UInt8]
    let authorization: String?

    init(_ request: OpaquePointer) {
        self.request = request
        method =
            switch evhttp_request_get_command(request) {
            case EVHTTP_REQ_GET: "GET"
            case EVHTTP_REQ_POST: "POST"
            case EVHTTP_REQ_PUT: "PUT"
            case EVHTTP_REQ_DELETE: "DELETE"
            default: "OTHER"
            }
        let uri = evhttp_request_get_uri(request).map { String(cString: $0) } ?? "/"
        let mark = uri.firstIndex(of: "?")
        path = mark.map { String(uri[..<$0]) } ?? uri
        var query: [String: String] = [:]
        if let mark {
            var pairs = evkeyvalq()
            _ = evhttp_parse_query_str(String(uri[uri.index(after: mark)...]), &pairs)
            var entry = maas_evkeyvalq_first(&pairs)
            while let current = entry {
                let name = String(cString: current.pointee.key)
                if query[name] == nil { query[name] = String(cString: current.pointee.value) }
                entry = maas_evkeyval_next(current)
            }
            evhttp_clear_headers(&pairs)
        }
        self.query = query
        authorization = evhttp_find_header(evhttp_request_get_input_headers(request), "Authorization").map {
            String(cString: $0)
        }
        let input = evhttp_request_get_input_buffer(request)
        let length = evbuffer_get_length(input)
        body = [UInt8](unsafeUninitializedCapacity: length) { storage, count in
            count = length == 0 ? 0 : max(0, Int(evbuffer_copyout(input, storage.baseAddress, length)))
        }
    }

    /// Whether `Authorization` is `Bearer <token>` (the scheme in any case, as the API server accepts it).
    func carries(token: String) -> Bool {
        guard let authorization, authorization.count > 7 else { return false }
        return authorization.prefix(7).lowercased() == "bearer " && authorization.dropFirst(7) == token
    }

    /// A boolean parameter as Go's `strconv.ParseBool` reads it true.
    func flag(_ name: String) -> Bool { ["1", "t", "T", "true", "TRUE", "True"].contains(query[name] ?? "") }
}
