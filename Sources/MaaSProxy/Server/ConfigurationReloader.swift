import AccessCheck
import Logging
import Routing

/// SIGHUP (SPEC 6): re-reads the configuration and the model files, and applies what can change
/// while serving — `log.level`, `probe.*`, the `cache` lifetimes, `kinds`, `models.paths`,
/// `models.maxFileBytes` and `models.maxModels`.
/// Every other key is read at start only; a change to one is logged as needing a restart. An
/// invalid configuration is logged and the running one kept. Control-loop thread only.
final class ConfigurationReloader {
    private var running: ProxyConfiguration
    private let resolve: () throws -> ProxyConfiguration
    private let catalog: CatalogStore
    private var fileSource: FileCatalogSource
    private let checkers: [AccessChecker]
    private let logger: Logger

    init(
        running: ProxyConfiguration,
        resolve: @escaping () throws -> ProxyConfiguration,
        catalog: CatalogStore,
        fileSource: FileCatalogSource,
        checkers: [AccessChecker],
        logger: Logger
    ) {
        self.running = running
        self.resolve = resolve
        self.catalog = catalog
        self.fileSource = fileSource
        self.checkers = checkers
        self.logger = logger
    }

    func stop() { fileSource.stop() }

    func reload() {
        let next: ProxyConfiguration
        do {
            next = try resolve()
        } catch {
            logger.error("configuration not reloaded; keeping the running one", metadata: ["error": "\(error)"])
            fileSource.reload()
            return
        }
        var applied = running
        applied.log = next.log
        applied.probe = next.probe
        applied.cache.ttl = next.cache.ttl
        applied.cache.deniedTTL = next.cache.deniedTTL
        applied.cache.unavailableTTL = next.cache.unavailableTTL
        applied.kinds = next.kinds
        LogLevelControl.process.current = next.log.level
        let settings = AccessCheckSettings(configuration: applied)
        for checker in checkers { checker.update(settings: settings) }
        catalog.update(kinds: next.kindRegistry)
        catalog.update(maxModels: next.models.maxModels)
        applied.models.maxModels = next.models.maxModels
        if next.models.paths != running.models.paths || next.models.maxFileBytes != running.models.maxFileBytes {
            // Check first, then stop the old source before the new one publishes: otherwise the old
            // poller could publish its paths' models after the new source's first snapshot.
            do {
                try FileCatalogSource.check(paths: next.models.paths)
                fileSource.stop()
                let replacement = FileCatalogSource(
                    paths: next.models.paths,
                    maxFileBytes: next.models.maxFileBytes,
                    store: catalog,
                    logger: logger
                )
                try replacement.start()
                fileSource = replacement
                applied.models.paths = next.models.paths
                applied.models.maxFileBytes = next.models.maxFileBytes
            } catch {
                logger.error("models.paths not changed", metadata: ["error": "\(error)"])
                fileSource.reload()
            }
        } else {
            fileSource.reload()
        }
        let needsRestart = ConfigurationReloader.restartKeys(running: running, next: next)
        if !needsRestart.isEmpty {
            logger.warning(
                "configuration changes that need a restart were not applied",
                metadata: ["keys": "\(needsRestart.joined(separator: ","))"]
            )
        }
        running = applied
        logger.info("configuration reloaded", metadata: ["logLevel": "\(applied.log.level)"])
    }

    /// The top-level sections (or keys) that differ and are only read at start.
    static func restartKeys(running: ProxyConfiguration, next: ProxyConfiguration) -> [String] {
        var keys: [String] = []
        if running.listen != next.listen { keys.append("listen") }
        if running.adminListen != next.adminListen { keys.append("admin.listen") }
        if running.publicURL != next.publicURL { keys.append("publicURL") }
        if running.workers != next.workers { keys.append("workers") }
        if running.models.kubernetes != next.models.kubernetes { keys.append("models.kubernetes") }
        if running.cache.maxEntries != next.cache.maxEntries { keys.append("cache.maxEntries") }
        if running.tls != next.tls { keys.append("tls") }
        if running.metrics != next.metrics { keys.append("metrics.enabled") }
        if running.upstream != next.upstream { keys.append("upstream") }
        if running.limits != next.limits { keys.append("limits") }
        if running.listing != next.listing { keys.append("listing") }
        if running.usage != next.usage { keys.append("usage") }
        if running.shutdownGrace != next.shutdownGrace { keys.append("shutdownGrace") }
        return keys
    }
}
