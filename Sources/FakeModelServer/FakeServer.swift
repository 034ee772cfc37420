import CLibevent
import Foundation

/// The fake backend: an evhttp server on one libevent loop (single-threaded).
final class FakeServer {
    let base: OpaquePointer
    private let http: OpaquePointer
    var config: FakeServerConfig
    var stats = FakeServerStats()
    private var recorded: [RecordedRequest] = []
    private var failuresServed: [String: Int] = [:]
    private let started = Date()
    private static let maxRecorded = 10_000
    private var tls: FakeTLS?

    init(config: FakeServerConfig) {
        _ = evthread_use_pthreads()
        maas_ignore_sigpipe()
        base = event_base_new()
        http = evhttp_new(base)
        self.config = config
        evhttp_set_default_content_type(http, nil)
        let all: [evhttp_cmd_type] = [
            EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE, EVHTTP_REQ_OPTIONS,
            EVHTTP_REQ_PATCH,
        ]
        evhttp_set_allowed_methods(http, UInt16(all.reduce(0) { $0 | $1.rawValue }))
        evhttp_set_gencb(http, fakeServerRequestTrampoline, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Serves TLS with this certificate from now on.
    func useTLS(_ tls: FakeTLS) {
        self.tls = tls
        tls.install(on: http)
    }

    /// Binds and returns the real port.
    func bind(host: String, port: Int) -> Int? {
        guard let socket = evhttp_bind_socket_with_handle(http, host, UInt16(port)) else { return nil }
        let fd = evhttp_bound_socket_get_fd(socket)
        _ = maas_set_nodelay(fd)
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return withUnsafeBytes(of: address) { raw in
            Int(UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self)))
        }
    }

    func run() {
        event_base_dispatch(base)
    }

    var nowMs: Double { Date().timeIntervalSince(started) * 1000 }

    fileprivate func handle(_ request: OpaquePointer) {
        let exchange = FakeExchange(request: request)
        if exchange.path.hasPrefix("/_fake/") { return control(exchange) }
        record(exchange)
        guard let (model, rest) = config.model(for: exchange.path) else {
            return exchange.reply(404, json: ["error": ["message": "no such path", "type": "not_found"]])
        }
        let rule = model.rule(for: exchange.header("Authorization"))
        switch (exchange.method, rest) {
        case ("GET", "/v1/models"):
            models(exchange, model: model, rule: rule)
        case ("POST", "/v1/chat/completions"), ("POST", "/v1/completions"):
            guard admits(rule) else { return refuse(exchange, rule) }
            CompletionResponder(server: self, exchange: exchange, model: model).respond()
        case ("POST", "/v1/embeddings"):
            guard admits(rule) else { return refuse(exchange, rule) }
            exchange.reply(
                200,
                json: [
                    "object": "list", "model": model.servedIDs[0],
                    "data": [["object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]]],
                ]
            )
        default:
            exchange.reply(404, json: ["error": ["message": "not found", "type": "not_found"]])
        }
    }

    private func admits(_ rule: TokenRule) -> Bool { (200..<300).contains(rule.status) || rule.status == 405 }

    private func refuse(_ exchange: FakeExchange, _ rule: TokenRule) {
        exchange.reply(
            rule.status,
            json: ["error": ["message": "refused by fake backend", "type": "fake", "code": rule.status]]
        )
    }

    private func models(_ exchange: FakeExchange, model: FakeModel, rule: TokenRule) {
        stats.modelsRequests += 1
        let failed = failuresServed[model.prefix, default: 0]
        let reply: () -> Void
        if failed < (model.failFirst ?? 0) {
            failuresServed[model.prefix] = failed + 1
            reply = { exchange.reply(503, json: ["error": ["message": "warming up", "type": "unavailable"]]) }
        } else if let body = rule.body {
            reply = { exchange.reply(rule.status, body: Array(body.utf8), contentType: "application/json") }
        } else if rule.status == 200 {
            let data = (rule.ids ?? model.servedIDs).map { id -> [String: Any] in
                [
                    "id": id, "object": "model", "created": model.created ?? 0, "owned_by": "vllm", "root": id,
                    "max_model_len": 2048,
                ]
            }
            var listing: [String: Any] = ["object": "list", "data": data]
            if let pad = rule.padBytes { listing["padding"] = String(repeating: "x", count: pad) }
            reply = { exchange.reply(200, json: listing) }
        } else if rule.status == 405 {
            reply = {
                exchange.reply(
                    405,
                    json: ["error": ["message": "method not allowed", "type": "fake"]],
                    extra: [("Allow", "POST")]
                )
            }
        } else {
            reply = { self.refuse(exchange, rule) }
        }
        let delay = model.delayMs ?? 0
        guard delay > 0 else { return reply() }
        stats.inFlightModels += 1
        stats.maxInFlightModels = max(stats.maxInFlightModels, stats.inFlightModels)
        OneShotTimer.start(base: base, milliseconds: delay) { [self] in
            self.stats.inFlightModels -= 1
            reply()
        }
    }

    private func record(_ exchange: FakeExchange) {
        if recorded.count >= Self.maxRecorded { recorded.removeFirst() }
        recorded.append(
            RecordedRequest(
                method: exchange.method,
                uri: exchange.uri,
                headers: exchange.headers,
                body: exchange.body,
                timeMs: nowMs
            )
        )
    }

    private func control(_ exchange: FakeExchange) {
        switch (exchange.method, exchange.path) {
        case ("GET", "/_fake/requests"):
            exchange.reply(200, jsonArray: recorded.map(\.json))
        case ("DELETE", "/_fake/requests"):
            recorded.removeAll()
            exchange.reply(200, json: ["cleared": true])
        case ("GET", "/_fake/stats"):
            exchange.reply(200, json: stats.json)
        case ("POST", "/_fake/config"):
            do {
                config = try FakeServerConfig.load(yaml: String(decoding: exchange.body, as: UTF8.self))
                failuresServed.removeAll()
                exchange.reply(200, json: ["models": config.models.count])
            } catch {
                exchange.reply(400, json: ["error": ["message": "\(error)", "type": "bad_config"]])
            }
        default:
            exchange.reply(404, json: ["error": ["message": "unknown control endpoint", "type": "not_found"]])
        }
    }
}

private func fakeServerRequestTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context else { return }
    Unmanaged<FakeServer>.fromOpaque(context).takeUnretainedValue().handle(request)
}
