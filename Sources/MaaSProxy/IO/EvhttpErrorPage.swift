import CLibevent
import Synchronization

/// Answers, in the SPEC 5.5 JSON shape, the requests evhttp refuses before any handler sees them:
/// a body over `limits.maxRequestBodyBytes` (413), a head over `limits.maxHeaderBytes` (431), a
/// request line or header evhttp cannot parse (400), a method it does not know (501).
///
/// Why it works this way: evhttp 2.1 sends those answers itself through `evhttp_send_error`, as a
/// small HTML page, and has no hook for them (2.2's `evhttp_set_errorcb` is not in Debian 12).
/// libevent's own http.c reaches `evhttp_send_error` through its PLT, and the dynamic linker binds
/// that to the executable's definition first, so the `@_cdecl` function below replaces it for
/// every server in this process (ELF symbol interposition; `nm -D maas-proxy` lists the symbol).
/// EvhttpRefusalLiveTests pins the JSON answers against the running binary, so a libevent build
/// that stopped calling through its PLT would fail the tests rather than go unnoticed.
enum EvhttpErrorPage {
    /// Each server's policy, by the address of its loop's `event_base` (one `HTTPServer` per loop:
    /// a worker's, or the admin listener's). evhttp hands over only the request; its connection's
    /// base names the server.
    private static let policies = Mutex<[UInt: RefusalPolicy]>([:])

    static func register(_ policy: RefusalPolicy, base: OpaquePointer) {
        policies.withLock { $0[UInt(bitPattern: Int(bitPattern: base))] = policy }
    }

    static func unregister(base: OpaquePointer) {
        _ = policies.withLock { $0.removeValue(forKey: UInt(bitPattern: Int(bitPattern: base))) }
    }

    /// The error for evhttp's `status`, told apart by what evhttp had read (it answers a head over
    /// the limit and a malformed one with the same 400).
    /// `chunked`: evhttp reports a chunk-size line it cannot parse as "too long" as well.
    static func error(
        forEvhttpStatus status: Int,
        headBytes: Int,
        chunked: Bool = false,
        policy: RefusalPolicy
    ) -> ProxyError {
        switch status {
        case 413:
            var error = ProxyError.requestTooLarge
            error.message =
                chunked
                ? "The request body is larger than \(policy.maxBodyBytes) bytes, or its chunked framing is invalid."
                : "The request body is larger than \(policy.maxBodyBytes) bytes."
            return error
        case 400 where headBytes > policy.maxHeaderBytes:
            var error = ProxyError.headersTooLarge
            error.message = "The request line and headers are larger than \(policy.maxHeaderBytes) bytes."
            return error
        case 400:
            return .badRequest
        case 501:
            return .methodNotImplemented
        default:
            return ProxyError(
                status: status,
                type: "invalid_request_error",
                code: "bad_request",
                message: "The request was refused."
            )
        }
    }

    /// evhttp counts the head's complete lines; when it gives up on a head that is too long, the
    /// line it could not finish is still unread input. Unread input holding a line end is something
    /// else (a body, a pipelined request) and does not count.
    private static func unfinishedLineBytes(_ connection: OpaquePointer?) -> Int {
        guard let bufferevent = connection.flatMap({ evhttp_connection_get_bufferevent($0) }) else { return 0 }
        let input = bufferevent_get_input(bufferevent)
        var endLength = 0
        let end = evbuffer_search_eol(input, nil, &endLength, EVBUFFER_EOL_CRLF)
        return end.pos < 0 ? evbuffer_get_length(input) : 0
    }

    fileprivate static func answer(_ request: OpaquePointer, evhttpStatus: Int) {
        let connection = evhttp_request_get_connection(request)
        let base = connection.flatMap { evhttp_connection_get_base($0) }
        let policy =
            base.flatMap { base in policies.withLock { $0[UInt(bitPattern: Int(bitPattern: base))] } }
            ?? RefusalPolicy()
        let headBytes = maas_evhttp_request_headers_size(request) + unfinishedLineBytes(connection)
        let headers = HeaderList.read(evhttp_request_get_input_headers(request))
        let chunked = headers.contains {
            $0.name.caseInsensitiveEquals("Transfer-Encoding") && $0.value.lowercased().contains("chunked")
        }
        let error = error(forEvhttpStatus: evhttpStatus, headBytes: headBytes, chunked: chunked, policy: policy)
        let requestID = RequestID.resolve(headers.first { $0.name.caseInsensitiveEquals("X-Request-Id") }?.value)
        let refusal = RefusedRequest(
            error: error,
            method: ServerExchange.methodName(evhttp_request_get_command(request)),
            requestID: requestID,
            bytesIn: headBytes + maas_evhttp_request_body_size(request),
            authorization: SensitiveHeader.presence(
                headers.first { $0.name.caseInsensitiveEquals("Authorization") }?.value
            )
        )

        maas_evhttp_request_answer_as_http11(request)
        let output = evhttp_request_get_output_headers(request)
        evhttp_clear_headers(output)
        evhttp_add_header(output, "Content-Type", "application/json")
        // evhttp stopped reading mid-request: whatever follows on the connection is not a request.
        evhttp_add_header(output, "Connection", "close")
        evhttp_add_header(output, "X-Request-Id", requestID)
        for header in error.headers { evhttp_add_header(output, header.name, header.value) }
        let body = error.body
        let buffer = evbuffer_new()
        body.withUnsafeBytes { raw in _ = evbuffer_add(buffer, raw.baseAddress, raw.count) }
        // evhttp may free the request (and the connection) inside this call.
        evhttp_send_reply(request, Int32(error.status), HTTPStatus.reason(error.status), buffer)
        evbuffer_free(buffer)
        policy.observer?(refusal, body.count)
    }
}

/// How a server's refusals are told apart and who hears of them.
struct RefusalPolicy: Sendable {
    var maxHeaderBytes = 8192
    var maxBodyBytes = 16 << 20
    /// Called on the loop thread after the answer is handed to evhttp, with its body size.
    var observer: (@Sendable (RefusedRequest, Int) -> Void)?
}

/// A request evhttp refused, for the access log and the request metrics.
struct RefusedRequest: Sendable {
    var error: ProxyError
    /// `UNKNOWN` when the request line did not parse.
    var method: String
    var requestID: String
    /// What evhttp had read: the head, and the body so far.
    var bytesIn: Int
    /// `present` or `absent`, as in every access line.
    var authorization: String
}

/// Replaces libevent's `evhttp_send_error` in this process (see `EvhttpErrorPage`). evhttp calls it
/// on the loop thread that owns the request; `reason` is evhttp's phrase, replaced by ours.
@_cdecl("evhttp_send_error")
public func evhttpSendErrorAsJSON(_ request: OpaquePointer?, _ status: Int32, _ reason: UnsafePointer<CChar>?) {
    guard let request else { return }
    EvhttpErrorPage.answer(request, evhttpStatus: Int(status))
}
