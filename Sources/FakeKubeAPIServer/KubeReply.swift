import CLibevent

/// Writes replies the way the API server does: JSON bodies, `Status` objects for failures, chunked watch streams.
///
/// `send`, `startStream` and `chunk` are copied from FakeModelServer's `ReplyWriter` (HTTP/1.0 framing included).
enum KubeReply {
    /// A `meta/v1` `Status` failure, e.g. `code` 410 with `reason` `Expired`.
    static func statusJSON(_ code: Int, reason: String, message: String) -> String {
        #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":\#(quote(message)),"#
            + #""reason":"\#(reason)","code":\#(code)}"#
    }

    static func status(_ request: OpaquePointer, _ code: Int, reason: String, message: String) {
        send(request, code, statusJSON(code, reason: reason, message: message))
    }

    /// Sends `body` as JSON and hands the request back to evhttp: `request` is invalid afterwards.
    static func send(_ request: OpaquePointer, _ code: Int, _ body: String) {
        let headers = evhttp_request_get_output_headers(request)
        evhttp_add_header(headers, "Content-Type", "application/json")
        evhttp_add_header(headers, "Content-Length", String(body.utf8.count))
        append(body, to: evhttp_request_get_output_buffer(request))
        evhttp_send_reply(request, Int32(code), nil, nil)
    }

    /// Sends the status line and headers of a chunked `200` JSON stream.
    static func startStream(_ request: OpaquePointer) {
        let headers = evhttp_request_get_output_headers(request)
        evhttp_add_header(headers, "Content-Type", "application/json")
        evhttp_add_header(headers, "Cache-Control", "no-cache, private")
        // evhttp answers an HTTP/1.0 keep-alive request's unframed stream with `Content-Length: 0` (docs/LIBEVENT.md);
        // without the request's keep-alive it streams until close instead. HTTP/1.1 ignores `keep-alive`.
        let input = evhttp_request_get_input_headers(request)
        if let connection = evhttp_find_header(input, "Connection"),
            String(cString: connection).lowercased().hasPrefix("keep-alive")
        {
            evhttp_remove_header(input, "Connection")
        }
        evhttp_send_reply_start(request, 200, nil)
    }

    /// Queues `text` as one chunk.
    static func chunk(_ request: OpaquePointer, _ text: String) {
        guard let buffer = evbuffer_new() else { return }
        append(text, to: buffer)
        evhttp_send_reply_chunk(request, buffer)
        evbuffer_free(buffer)
    }

    /// `value` as a quoted JSON string.
    static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func append(_ text: String, to buffer: OpaquePointer?) {
        var text = text
        text.withUTF8 { bytes in
            if bytes.count > 0 { _ = evbuffer_add(buffer, bytes.baseAddress, bytes.count) }
        }
    }
}
