import CLibevent

/// One request handed over by evhttp, copied into Swift values; `request` stays valid only until it is answered.
struct IncomingRequest {
    let request: OpaquePointer
    let method: String
    let uri: String
    /// The URI without its query string.
    let path: String
    /// In received order, names as received.
    let headers: [(String, String)]
    let body: [UInt8]

    init(_ request: OpaquePointer) {
        self.request = request
        method = Self.methodName(evhttp_request_get_command(request))
        let uri = evhttp_request_get_uri(request).map { String(cString: $0) } ?? "/"
        self.uri = uri
        path = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri
        var headers: [(String, String)] = []
        var entry = maas_evkeyvalq_first(evhttp_request_get_input_headers(request))
        while let current = entry {
            headers.append((String(cString: current.pointee.key), String(cString: current.pointee.value)))
            entry = maas_evkeyval_next(current)
        }
        self.headers = headers
        let input = evhttp_request_get_input_buffer(request)
        let length = evbuffer_get_length(input)
        body = [UInt8](unsafeUninitializedCapacity: length) { storage, count in
            count = length == 0 ? 0 : max(0, Int(evbuffer_copyout(input, storage.baseAddress, length)))
        }
    }

    /// The first `Authorization` value, as received.
    var authorization: String? {
        headers.first { $0.0.utf8.count == 13 && $0.0.lowercased() == "authorization" }?.1
    }

    /// The first value of header `name` (ASCII, any case), as received.
    func header(_ name: String) -> String? {
        headers.first { $0.0.utf8.count == name.utf8.count && $0.0.lowercased() == name.lowercased() }?.1
    }

    /// A form body is read for the record (what the backend saw of it); any other body is kept as bytes only.
    func recorded(at timeMs: Double) -> RecordedRequest {
        let form = body.isEmpty ? nil : FormData(contentType: header("Content-Type"), body: body)
        return RecordedRequest(method: method, uri: uri, headers: headers, body: body, form: form, timeMs: timeMs)
    }

    private static func methodName(_ command: evhttp_cmd_type) -> String {
        switch command {
        case EVHTTP_REQ_GET: "GET"
        case EVHTTP_REQ_POST: "POST"
        case EVHTTP_REQ_HEAD: "HEAD"
        case EVHTTP_REQ_PUT: "PUT"
        case EVHTTP_REQ_DELETE: "DELETE"
        case EVHTTP_REQ_OPTIONS: "OPTIONS"
        case EVHTTP_REQ_PATCH: "PATCH"
        case EVHTTP_REQ_TRACE: "TRACE"
        case EVHTTP_REQ_CONNECT: "CONNECT"
        default: "UNKNOWN"
        }
    }
}
