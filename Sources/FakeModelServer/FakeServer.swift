import CLibevent
import FakeServerKit
import Foundation

/// The fake backend: one evhttp server on one single-threaded libevent loop. Owns the mutable state the endpoints
/// share (configuration, counters, request log) and routes each request to its endpoint.
final class FakeServer: FakeHTTPServing {
    let base: OpaquePointer
    private let http: OpaquePointer
    private(set) var config: FakeServerConfig
    var stats = FakeServerStats()
    var requestLog = RequestLog()
    /// Requests per client connection (`dropRequests`) and the requests held on them.
    let connections = ClientConnections()
    /// `failFirst` 503s served so far, per model prefix.
    private var warmupFailures: [String: Int] = [:]
    private var sequence = 0
    private let name: String?
    private let verbose: Bool
    private var tls: FakeTLS?
    private var signalEvents: [OpaquePointer] = []

    /// nil when libevent cannot set up a loop.
    init?(config: FakeServerConfig, name: String?, verbose: Bool) {
        maas_ignore_sigpipe()
        guard let settings = event_config_new() else { return nil }
        defer { event_config_free(settings) }
        // One thread: no locks. The changelist measured +35 % throughput (docs/LIBEVENT.md).
        _ = event_config_set_flag(settings, Int32(EVENT_BASE_FLAG_NOLOCK.rawValue))
        _ = event_config_set_flag(settings, Int32(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST.rawValue))
        guard let base = event_base_new_with_config(settings) else { return nil }
        guard let http = evhttp_new(base) else {
            event_base_free(base)
            return nil
        }
        self.base = base
        self.http = http
        self.config = config
        self.name = name
        self.verbose = verbose
        // evhttp would invent `Content-Type: text/html`; every reply sets its own.
        evhttp_set_default_content_type(http, nil)
        let methods: [evhttp_cmd_type] = [
            EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE, EVHTTP_REQ_OPTIONS,
            EVHTTP_REQ_PATCH,
        ]
        evhttp_set_allowed_methods(http, UInt16(methods.reduce(0) { $0 | $1.rawValue }))
        // Above the proxy's own limits (16 MiB bodies, 64 KiB headers), so the proxy's checks are what tests see.
        evhttp_set_max_body_size(http, 64 << 20)
        evhttp_set_max_headers_size(http, 1 << 20)
        evhttp_set_gencb(http, fakeServerRequestTrampoline, Unmanaged.passUnretained(self).toOpaque())
        for signal in [SIGTERM, SIGINT] {
            _ = maas_unblock_signal(signal)
            guard
                let event = maas_evsignal_new(
                    base,
                    signal,
                    fakeServerSignalTrampoline,
                    Unmanaged.passUnretained(self).toOpaque()
                )
            else { continue }
            event_add(event, nil)
            signalEvents.append(event)
        }
    }

    /// Serves TLS with this certificate from now on.
    func useTLS(_ tls: FakeTLS) {
        self.tls = tls
        tls.install(on: http)
    }

    /// Binds and returns the real port (the ephemeral one for port 0).
    func bind(host: String, port: Int) -> Int? { EvhttpSockets.bind(http, host: host, port: port, backlog: 4096) }

    /// Runs the loop until SIGTERM or SIGINT.
    func run() {
        event_base_dispatch(base)
    }

    func replaceConfig(_ config: FakeServerConfig) {
        self.config = config
        warmupFailures.removeAll()
        log("configuration replaced: \(config.models.count) model(s)")
    }

    /// Whether this `/v1/models` request is one of the model's first `failFirst` (answered 503).
    func takeWarmupFailure(for model: FakeModel) -> Bool {
        let served = warmupFailures[model.normalizedPrefix, default: 0]
        guard served < model.failFirst ?? 0 else { return false }
        warmupFailures[model.normalizedPrefix] = served + 1
        return true
    }

    /// `GET /_fake/stats`.
    var statsJSON: String { stats.json(openConnections: connections.count) }

    func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    /// A line on stderr with `--verbose`; nothing otherwise.
    func log(_ message: @autoclosure () -> String) {
        guard verbose else { return }
        FileHandle.standardError.write(Data("fake-model-server\(name.map { "[\($0)]" } ?? ""): \(message())\n".utf8))
    }

    fileprivate func stop() {
        log("signal received, exiting")
        event_base_loopbreak(base)
    }

    fileprivate func handle(_ request: OpaquePointer) {
        let incoming = IncomingRequest(request)
        let connection = evhttp_request_get_connection(request)
        let ordinal = connection.map { connections.requestArrived(on: $0) } ?? 1
        if let name { evhttp_add_header(evhttp_request_get_output_headers(request), "X-Fake-Backend", name) }
        log("\(incoming.method) \(incoming.uri)")
        if incoming.path.utf8.starts(with: "/_fake/".utf8) { return ControlEndpoints.handle(incoming, server: self) }
        stats.requests += 1
        requestLog.append(incoming.recorded(at: MonotonicClock.nowMs()))
        guard let (model, rest) = config.model(for: incoming.path) else {
            return ReplyWriter.send(request, .error(404, "no model is served under \(incoming.path)"))
        }
        if let connection, model.dropRequests.contains(ordinal) {
            // Freeing the connection frees the request with it; the client reads EOF instead of an answer.
            stats.droppedRequests += 1
            log("dropping request \(ordinal) of its connection: \(incoming.method) \(incoming.uri)")
            return evhttp_connection_free(connection)
        }
        let rule = model.rule(for: incoming.authorization)
        switch rest {
        case "/v1/models":
            guard incoming.method == "GET" || incoming.method == "HEAD" else {
                return ReplyWriter.send(request, .error(405, "Method Not Allowed", headers: [("Allow", "GET")]))
            }
            ModelsEndpoint(server: self).answer(incoming, model: model, rule: rule)
        case "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses", "/v1/messages":
            guard incoming.method == "POST" else {
                return ReplyWriter.send(request, .error(405, "Method Not Allowed", headers: [("Allow", "POST")]))
            }
            guard rule.admitsInference else { return ReplyWriter.send(request, .refusal(rule.status)) }
            switch rest {
            case "/v1/chat/completions":
                InferenceEndpoints.completion(incoming, kind: .chat, model: model, server: self)
            case "/v1/completions": InferenceEndpoints.completion(incoming, kind: .text, model: model, server: self)
            case "/v1/responses": InferenceEndpoints.completion(incoming, kind: .responses, model: model, server: self)
            case "/v1/messages": InferenceEndpoints.completion(incoming, kind: .messages, model: model, server: self)
            default: InferenceEndpoints.embeddings(incoming, model: model)
            }
        case _ where FormEndpoints.paths.contains(String(rest)):
            guard incoming.method == "POST" else {
                return ReplyWriter.send(request, .error(405, "Method Not Allowed", headers: [("Allow", "POST")]))
            }
            guard rule.admitsInference else { return ReplyWriter.send(request, .refusal(rule.status)) }
            FormEndpoints.answer(incoming, path: String(rest))
        case let rest where rest.hasPrefix("/v1/models/") && (incoming.method == "GET" || incoming.method == "HEAD"):
            let id = String(rest.dropFirst("/v1/models/".count)).removingPercentEncoding ?? ""
            ReplyWriter.send(request, ModelsEndpoint.retrieve(id: id, model: model, rule: rule))
        default:
            ReplyWriter.send(request, .error(404, "no route for \(incoming.method) \(incoming.path)"))
        }
    }
}

private func fakeServerRequestTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context else { return }
    Unmanaged<FakeServer>.fromOpaque(context).takeUnretainedValue().handle(request)
}

private func fakeServerSignalTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<FakeServer>.fromOpaque(context).takeUnretainedValue().stop()
}
