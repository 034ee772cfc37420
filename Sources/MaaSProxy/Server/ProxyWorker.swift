import AccessCheck
import Foundation
import Routing

/// One event loop with its own listeners (same ports, `SO_REUSEPORT`), upstream pool and handlers.
///
/// Created on the main thread before its loop runs; afterwards everything it owns is touched only
/// on its loop's thread.
final class ProxyWorker: @unchecked Sendable {
    let loop: EventLoop
    private let context: ProxyContext
    private var server: HTTPServer?
    private let pool: UpstreamConnectionPool
    private let modelsHandler: ModelsHandler
    private let forwardHandler: ForwardHandler
    /// This worker's access checker; its settings follow configuration reloads.
    let checker: AccessChecker
    private var thread: Thread?

    init(index: Int, context: ProxyContext, inFlight: InFlightGauge) throws {
        let configuration = context.configuration
        loop = try EventLoop(name: "worker-\(index)")
        self.context = context
        pool = UpstreamConnectionPool(loop: loop, tls: context.upstreamTLS, health: context.originHealth)
        checker = AccessChecker(
            cache: context.decisionCache,
            transport: LibeventProbeTransport(pool: pool),
            digest: context.digest,
            settings: AccessCheckSettings(configuration: configuration),
            random: { Double.random(in: 0..<1) },
            observer: context.metrics,
            health: context.originHealth
        )
        modelsHandler = ModelsHandler(context: context, checker: checker)
        let requests = RequestRecorder(metrics: context.metrics)
        forwardHandler = ForwardHandler(
            context: context,
            checker: checker,
            pool: pool,
            requests: requests,
            scheme: context.listenerTLS == nil ? "http" : "https"
        )
        server = try HTTPServer(
            loop: loop,
            limits: HTTPServerLimits(
                maxHeaderBytes: configuration.limits.maxHeaderBytes,
                maxBodyBytes: configuration.limits.maxRequestBodyBytes,
                connectionTimeoutSeconds: ServerTimeouts.connectionSeconds,
                requestReadTimeout: configuration.limits.requestReadTimeout
            ),
            inFlight: inFlight,
            tls: context.listenerTLS
        ) { [unowned self] exchange in
            self.route(exchange)
        }
        let accessLog = AccessLog(credentialIDs: context.credentialIDs)
        let usage = UsageRecorder(metrics: context.metrics)
        server?.onAnswered = { exchange, status, bytesOut in
            accessLog.record(exchange, status: status, bytesOut: bytesOut)
            // With the access line, so a scrape never sees one without the other (SPEC 7).
            if let report = exchange.notes.usage, let model = exchange.notes.model {
                usage.record(model: model, report)
            }
            requests.answered(
                route: exchange.notes.route,
                model: exchange.notes.model,
                status: status,
                duration: exchange.loop.now.since(exchange.receivedAt)
            )
        }
        // SPEC 5.3: a path-routed body streams upstream as it arrives; a body-routed one (and any
        // other) is read whole, up to limits.maxRequestBodyBytes, to find its model.
        // With usage.forceStreamUsage a completion's body is read whole so it can be rewritten (SPEC 7).
        let forcesStreamUsage = configuration.usage.forceStreamUsage
        server?.bodyStreaming = { head in
            let path = head.path
            if forcesStreamUsage, InferenceAPI(path: path)?.takesStreamOptions == true { return false }
            return path != "/v1/models" && context.routing().table.match(path: path) != nil
        }
        server?.onRefused = { refused, bytesOut in
            accessLog.record(refused: refused, bytesOut: bytesOut)
            requests.answered(
                route: AccessLog.refusedRoute,
                model: nil,
                status: refused.error.status,
                duration: .zero
            )
        }
    }

    /// Binds every listen address; returns the bound addresses (real ports for port 0).
    /// - Parameter exclusive: check that no other process holds the ports (the first worker).
    func bind(_ addresses: [(host: String, port: Int)], exclusive: Bool) throws -> [BoundAddress] {
        try addresses.map { try server!.bind(host: $0.host, port: $0.port, exclusive: exclusive) }
    }

    func start() {
        let thread = Thread { [self] in self.loop.run() }
        thread.name = loop.name
        thread.start()
        self.thread = thread
    }

    /// Closes the listening sockets of this worker; accepted connections keep being served.
    func stopAccepting() {
        loop.execute { [self] in self.server?.stopAccepting() }
    }

    func stop() {
        loop.stop()
    }

    private func route(_ exchange: ServerExchange) {
        let path = exchange.path
        if path == "/v1/models" {
            exchange.notes.route = "models"
            modelsHandler.handle(exchange)
        } else if path.hasPrefix(Self.retrievePrefix), context.routing().table.match(path: path) == nil {
            // SPEC 3.6: a path under a model's route prefix is forwarded; `/v1/models/{id}` is not.
            exchange.notes.route = "models"
            modelsHandler.retrieve(exchange, id: PercentDecoding.decode(path.dropFirst(Self.retrievePrefix.count)))
        } else {
            forwardHandler.handle(exchange)
        }
    }

    /// `GET /v1/models/{id}` (SPEC 3.6); ids may hold `/`, which clients may send as `%2F`.
    private static let retrievePrefix = "/v1/models/"
}

extension AccessCheckSettings {
    /// The access-check settings of SPEC 3.2 and 4 from the configuration.
    init(configuration: ProxyConfiguration) {
        self.init(
            deadline: configuration.probe.deadline,
            concurrency: configuration.probe.concurrency,
            lifetimes: DecisionLifetimes(
                granted: configuration.cache.ttl,
                denied: configuration.cache.deniedTTL,
                unavailable: configuration.cache.unavailableTTL
            ),
            maxProbeBodyBytes: 4 * 1024 * 1024,
            userAgentVersion: MaaSProxyVersion.current
        )
    }
}
