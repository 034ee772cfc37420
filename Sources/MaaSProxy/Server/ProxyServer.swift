import AccessCheck
import Foundation
import Logging
import Routing

/// The `serve` lifecycle: load the catalog, bind every worker, run until SIGTERM/SIGINT (SPEC 6).
///
/// The main thread runs a control loop for signals and the admin listener; workers run their own.
final class ProxyServer {
    private let configuration: ProxyConfiguration
    private let logger: Logger
    /// Reads the configuration again (flags and file) for SIGHUP.
    private let resolveConfiguration: () throws -> ProxyConfiguration

    init(
        configuration: ProxyConfiguration,
        logger: Logger,
        resolveConfiguration: @escaping () throws -> ProxyConfiguration
    ) {
        self.configuration = configuration
        self.logger = logger
        self.resolveConfiguration = resolveConfiguration
    }

    /// Serves until a stop signal; returns the process exit status.
    func run() throws -> Int32 {
        let kinds = KindRegistry(configured: configuration.kinds)
        let kubernetesEnabled = configuration.models.kubernetes.enabled
        let catalog = CatalogStore(
            kinds: kinds,
            sources: [FileCatalogSource.sourceName] + (kubernetesEnabled ? [KubernetesCatalogSource.sourceName] : []),
            maxModels: configuration.models.maxModels,
            logger: logger
        )
        let fileSource = FileCatalogSource(
            paths: configuration.models.paths,
            maxFileBytes: configuration.models.maxFileBytes,
            store: catalog,
            logger: logger
        )
        try fileSource.start()
        // The control loop runs signals, the admin listener and the Kubernetes source.
        let control = try EventLoop(name: "control")
        let kubernetesSource =
            try kubernetesEnabled
            ? KubernetesCatalogSource(
                configuration: configuration.models.kubernetes,
                store: catalog,
                loop: control,
                logger: logger
            ) : nil
        kubernetesSource?.start()

        let context = try ProxyContext(configuration: configuration, catalog: catalog, logger: logger)
        let inFlight = InFlightGauge()
        let workers = try (0..<configuration.workers).map {
            try ProxyWorker(index: $0, context: context, inFlight: inFlight)
        }
        // The first worker resolves ephemeral ports; the others join the same ports (SO_REUSEPORT).
        var listen = configuration.listen.map { (host: $0.host, port: $0.port) }
        let bound = try workers[0].bind(listen, exclusive: true)
        listen = bound.map { (host: $0.host, port: $0.port) }
        for worker in workers.dropFirst() { _ = try worker.bind(listen, exclusive: false) }
        context.setListenerAddresses(bound)

        let admin = try HTTPServer(
            loop: control,
            limits: HTTPServerLimits(
                maxHeaderBytes: 16_384,
                maxBodyBytes: 1024,
                connectionTimeoutSeconds: 30,
                requestReadTimeout: .seconds(30)
            ),
            inFlight: InFlightGauge()
        ) { exchange in
            AdminHandler(isReady: { catalog.isLoaded }, scrapeMetrics: { context.metrics.scrape() }).handle(exchange)
        }
        let adminAddress = try admin.bind(host: configuration.adminListen.host, port: configuration.adminListen.port)

        let shutdown = GracefulShutdown(
            workers: workers,
            inFlight: inFlight,
            control: control,
            grace: configuration.shutdownGrace,
            logger: logger
        )
        let reloader = ConfigurationReloader(
            running: configuration,
            resolve: resolveConfiguration,
            catalog: catalog,
            fileSource: fileSource,
            checkers: workers.map(\.checker),
            logger: logger
        )
        let certificates = context.listenerTLS.map { CertificateReloader(tls: $0, loop: control, logger: logger) }
        certificates?.start()
        let signals = SignalWatcher(loop: control)
        signals.on(SIGHUP) {
            self.logger.info("SIGHUP: reloading the configuration, model sources and certificate")
            reloader.reload()
            kubernetesSource?.relist()
            certificates?.reload(reason: "SIGHUP")
        }
        signals.on(SIGTERM) { shutdown.begin(signal: "SIGTERM") }
        signals.on(SIGINT) { shutdown.begin(signal: "SIGINT") }

        for worker in workers { worker.start() }
        logger.info(
            "serving",
            metadata: [
                "listen": "\(bound.map(\.description).joined(separator: ","))",
                "tls": "\(context.listenerTLS != nil)",
                "admin": "\(adminAddress)",
                "workers": "\(workers.count)",
                "models": "\(catalog.snapshot.models.count)",
                "version": "\(MaaSProxyVersion.current)",
            ]
        )
        control.run()
        reloader.stop()
        certificates?.stop()
        kubernetesSource?.stop()
        withExtendedLifetime((admin, signals)) {}
        logger.info("stopped")
        return 0
    }
}

/// SIGTERM/SIGINT: stop accepting, let in-flight requests finish within the grace period, stop.
/// Lives on the control loop: every method runs on its thread.
final class GracefulShutdown: @unchecked Sendable {
    private let workers: [ProxyWorker]
    private let inFlight: InFlightGauge
    private let control: EventLoop
    private let grace: Duration
    private let logger: Logger
    private var started = false

    init(workers: [ProxyWorker], inFlight: InFlightGauge, control: EventLoop, grace: Duration, logger: Logger) {
        self.workers = workers
        self.inFlight = inFlight
        self.control = control
        self.grace = grace
        self.logger = logger
    }

    /// Runs on the control loop's thread.
    func begin(signal: String) {
        guard !started else { return }
        started = true
        logger.info("\(signal): stopping", metadata: ["inFlight": "\(inFlight.value)"])
        for worker in workers { worker.stopAccepting() }
        waitForDrain(until: control.now + grace)
    }

    private func waitForDrain(until deadline: MonotonicInstant) {
        if inFlight.value == 0 {
            // The last answers are queued on their connections and written on the next loop turns:
            // give those writes a moment before the loops stop (else a stream loses its last chunk).
            _ = control.schedule(after: Self.flushAllowance) { [self] in self.stopLoops() }
            return
        }
        if control.now >= deadline {
            logger.warning("grace period over", metadata: ["inFlight": "\(inFlight.value)"])
            return stopLoops()
        }
        _ = control.schedule(after: .milliseconds(20)) { [self] in self.waitForDrain(until: deadline) }
    }

    private static let flushAllowance = Duration.milliseconds(100)

    private func stopLoops() {
        for worker in workers { worker.stop() }
        control.stop()
    }
}
