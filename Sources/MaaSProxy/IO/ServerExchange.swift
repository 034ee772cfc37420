import AccessCheck
import CLibevent

/// One request received by an `HTTPServer` and the one answer it gets.
///
/// The `evhttp_request` belongs to libevent; this wrapper is its only user. The state allows one
/// terminal path: `respond` once. A second `respond` is ignored (and asserted in debug builds), so
/// "every request is answered exactly once" holds by construction. Loop-thread only.
final class ServerExchange: @unchecked Sendable {
    let method: String
    /// The request target as received (origin-form `path?query` for well-formed requests).
    let target: String
    let headers: [HTTPHeader]
    let body: [UInt8]
    let receivedAt: MonotonicInstant
    let loop: EventLoop
    /// Sent back as `X-Request-Id` and logged (SPEC 5.3).
    let requestID: String
    /// Filled in by handlers for the access log.
    var notes = AccessNotes()

    private var request: OpaquePointer?
    private let inFlight: InFlightGauge
    private let onAnswered: ((ServerExchange, Int, Int) -> Void)?

    /// - Parameter onAnswered: called once with the status and body size, right after the answer is handed to libevent.
    init(
        request: OpaquePointer,
        loop: EventLoop,
        inFlight: InFlightGauge,
        onAnswered: ((ServerExchange, Int, Int) -> Void)?
    ) {
        self.request = request
        self.loop = loop
        self.inFlight = inFlight
        self.onAnswered = onAnswered
        inFlight.increment()
        self.receivedAt = loop.now
        self.method = ServerExchange.methodName(evhttp_request_get_command(request))
        self.target = evhttp_request_get_uri(request).map { String(cString: $0) } ?? "/"
        self.headers = HeaderList.read(evhttp_request_get_input_headers(request))
        self.body = EvBuffer.bytes(of: evhttp_request_get_input_buffer(request))
        self.requestID = RequestID.resolve(headers.first { $0.name.caseInsensitiveEquals("X-Request-Id") }?.value)
    }

    /// The path part of the target (before `?`).
    var path: Substring {
        target.firstIndex(of: "?").map { target[..<$0] } ?? target[...]
    }

    /// The query without `?`, nil when there is none.
    var query: Substring? {
        target.firstIndex(of: "?").map { target[target.index(after: $0)...] }
    }

    /// The first value of a header, matched case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of a header, in the order received.
    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    var isAnswered: Bool { request == nil }

    /// Sends a complete response with `Content-Length`. Only the first call has an effect.
    func respond(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        guard let request else {
            assertionFailure("response sent twice")
            return
        }
        self.request = nil
        defer { inFlight.decrement() }
        let output = evhttp_request_get_output_headers(request)
        for header in headers { evhttp_add_header(output, header.name, header.value) }
        evhttp_add_header(output, "X-Request-Id", requestID)
        let buffer = evbuffer_new()
        defer { evbuffer_free(buffer) }
        body.withUnsafeBytes { raw in _ = evbuffer_add(buffer, raw.baseAddress, raw.count) }
        evhttp_send_reply(request, Int32(status), HTTPStatus.reason(status), buffer)
        onAnswered?(self, status, body.count)
    }

    private static func methodName(_ command: evhttp_cmd_type) -> String {
        switch command {
        case EVHTTP_REQ_GET: "GET"
        case EVHTTP_REQ_POST: "POST"
        case EVHTTP_REQ_HEAD: "HEAD"
        case EVHTTP_REQ_PUT: "PUT"
        case EVHTTP_REQ_DELETE: "DELETE"
        case EVHTTP_REQ_OPTIONS: "OPTIONS"
        case EVHTTP_REQ_TRACE: "TRACE"
        case EVHTTP_REQ_CONNECT: "CONNECT"
        case EVHTTP_REQ_PATCH: "PATCH"
        default: "UNKNOWN"
        }
    }
}

/// Reading and writing libevent header lists (`evkeyvalq`, a TAILQ Swift walks by hand).
enum HeaderList {
    static func read(_ list: UnsafeMutablePointer<evkeyvalq>?) -> [HTTPHeader] {
        guard let list else { return [] }
        var headers: [HTTPHeader] = []
        var entry = maas_evkeyvalq_first(list)
        while let current = entry {
            headers.append(HTTPHeader(String(cString: current.pointee.key), String(cString: current.pointee.value)))
            entry = maas_evkeyval_next(current)
        }
        return headers
    }
}

/// Copies out of libevent buffers.
enum EvBuffer {
    static func bytes(of buffer: OpaquePointer?) -> [UInt8] {
        guard let buffer else { return [] }
        let count = evbuffer_get_length(buffer)
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { storage, initialized in
            initialized = Int(evbuffer_copyout(buffer, storage.baseAddress, count))
        }
    }
}

extension String {
    /// ASCII case-insensitive comparison, as header names compare (RFC 9110 5.1).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let lhs = utf8
        let rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).allSatisfy { a, b in
            a == b || (a ^ 0x20 == b && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z"))
        }
    }
}
