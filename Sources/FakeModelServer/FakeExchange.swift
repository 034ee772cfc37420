import CLibevent
import Foundation

/// One request to the fake backend and its reply (whole, or streamed in chunks).
final class FakeExchange {
    let method: String
    let uri: String
    let headers: [(String, String)]
    let body: [UInt8]
    private(set) var request: OpaquePointer?
    /// Called when the client goes away before a stream ended.
    var onClientGone: (() -> Void)?

    init(request: OpaquePointer) {
        self.request = request
        let command = evhttp_request_get_command(request)
        let names: [(evhttp_cmd_type, String)] = [
            (EVHTTP_REQ_GET, "GET"), (EVHTTP_REQ_POST, "POST"), (EVHTTP_REQ_HEAD, "HEAD"), (EVHTTP_REQ_PUT, "PUT"),
            (EVHTTP_REQ_DELETE, "DELETE"), (EVHTTP_REQ_OPTIONS, "OPTIONS"), (EVHTTP_REQ_PATCH, "PATCH"),
        ]
        method = names.first { $0.0 == command }?.1 ?? "OTHER"
        uri = evhttp_request_get_uri(request).map { String(cString: $0) } ?? "/"
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
            count = length == 0 ? 0 : Int(evbuffer_copyout(input, storage.baseAddress, length))
        }
    }

    var path: Substring { uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    func reply(_ status: Int, json: [String: Any], extra: [(String, String)] = []) {
        reply(status, body: FakeExchange.encode(json), contentType: "application/json", extra: extra)
    }

    func reply(_ status: Int, jsonArray: [[String: Any]]) {
        reply(status, body: FakeExchange.encode(jsonArray), contentType: "application/json")
    }

    func reply(_ status: Int, body: [UInt8], contentType: String, extra: [(String, String)] = []) {
        guard let request else { return }
        self.request = nil
        let output = evhttp_request_get_output_headers(request)
        evhttp_add_header(output, "Content-Type", contentType)
        for (name, value) in extra { evhttp_add_header(output, name, value) }
        let buffer = evbuffer_new()
        body.withUnsafeBytes { _ = evbuffer_add(buffer, $0.baseAddress, $0.count) }
        evhttp_send_reply(request, Int32(status), "Fake", buffer)
        evbuffer_free(buffer)
    }

    // MARK: streaming

    /// Starts a chunked reply and watches for the client going away.
    func startStream(contentType: String) {
        guard let request else { return }
        let output = evhttp_request_get_output_headers(request)
        evhttp_add_header(output, "Content-Type", contentType)
        evhttp_add_header(output, "Cache-Control", "no-cache")
        evhttp_send_reply_start(request, 200, "OK")
        if let connection = evhttp_request_get_connection(request) {
            evhttp_connection_set_closecb(
                connection,
                fakeExchangeClosedTrampoline,
                Unmanaged.passUnretained(self).toOpaque()
            )
        }
    }

    func sendChunk(_ bytes: [UInt8]) {
        guard let request else { return }
        let buffer = evbuffer_new()
        bytes.withUnsafeBytes { _ = evbuffer_add(buffer, $0.baseAddress, $0.count) }
        evhttp_send_reply_chunk(request, buffer)
        evbuffer_free(buffer)
    }

    func endStream() {
        guard let request else { return }
        self.request = nil
        // Clear the close callback in the same frame as the final chunk (LIBEVENT.md: use-after-free otherwise).
        if let connection = evhttp_request_get_connection(request) {
            evhttp_connection_set_closecb(connection, nil, nil)
        }
        evhttp_send_reply_end(request)
    }

    /// Drops the connection mid-body, without the final chunk (mid-stream failure tests).
    func abortStream() {
        guard let request else { return }
        self.request = nil
        if let connection = evhttp_request_get_connection(request) {
            evhttp_connection_set_closecb(connection, nil, nil)
            let fd = bufferevent_getfd(evhttp_connection_get_bufferevent(connection))
            shutdown(fd, Int32(SHUT_RDWR))
        }
    }

    fileprivate func clientClosed() {
        request = nil
        onClientGone?()
        onClientGone = nil
    }

    private static func encode(_ object: Any) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }
}

private func fakeExchangeClosedTrampoline(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<FakeExchange>.fromOpaque(context).takeUnretainedValue().clientClosed()
}

/// A one-shot timer that retains itself until it fires.
final class OneShotTimer {
    private var event: OpaquePointer?
    private var work: (() -> Void)?

    @discardableResult
    static func start(base: OpaquePointer, milliseconds: Int, _ work: @escaping () -> Void) -> OneShotTimer {
        let timer = OneShotTimer()
        timer.work = work
        timer.event = maas_evtimer_new(base, oneShotTimerTrampoline, Unmanaged.passRetained(timer).toOpaque())
        var timeout = maas_timeval_ms(Int64(milliseconds))
        event_add(timer.event, &timeout)
        return timer
    }

    /// Stops the timer before it fires.
    func cancel() {
        guard let event else { return }
        event_del(event)
        finish()
    }

    fileprivate func fire() {
        let work = self.work
        finish()
        work?()
    }

    private func finish() {
        guard let event else { return }
        event_free(event)
        self.event = nil
        work = nil
        Unmanaged.passUnretained(self).release()
    }
}

private func oneShotTimerTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<OneShotTimer>.fromOpaque(context).takeUnretainedValue().fire()
}
