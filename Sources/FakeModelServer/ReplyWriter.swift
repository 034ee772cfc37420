import CLibevent

/// Writes replies on evhttp requests: whole ones with `Content-Length`, or chunked streams.
enum ReplyWriter {
    /// Sends `reply` and hands the request back to evhttp: `request` is invalid afterwards.
    static func send(_ request: OpaquePointer, _ reply: PreparedReply) {
        let headers = evhttp_request_get_output_headers(request)
        evhttp_add_header(headers, "Content-Type", reply.contentType)
        evhttp_add_header(headers, "Content-Length", String(reply.body.utf8.count))
        for (name, value) in reply.headers { evhttp_add_header(headers, name, value) }
        append(reply.body, to: evhttp_request_get_output_buffer(request))
        evhttp_send_reply(request, Int32(reply.status), nil, nil)
    }

    /// Sends the status line and headers of a chunked reply.
    static func startStream(_ request: OpaquePointer, contentType: String) {
        let headers = evhttp_request_get_output_headers(request)
        evhttp_add_header(headers, "Content-Type", contentType)
        evhttp_add_header(headers, "Cache-Control", "no-cache")
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

    /// Queues one chunk; `written` runs once it has left the process (pass nil to not care).
    static func chunk(
        _ request: OpaquePointer,
        _ text: String,
        written: (@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void)? = nil,
        context: UnsafeMutableRawPointer? = nil
    ) {
        guard let buffer = evbuffer_new() else { return }
        append(text, to: buffer)
        evhttp_send_reply_chunk_with_cb(request, buffer, written, context)
        evbuffer_free(buffer)
    }

    private static func append(_ text: String, to buffer: OpaquePointer?) {
        var text = text
        text.withUTF8 { bytes in
            if bytes.count > 0 { _ = evbuffer_add(buffer, bytes.baseAddress, bytes.count) }
        }
    }
}
