import Logging
import Routing

/// The Kubernetes model source (SPEC 1): one informer per watched scope — every namespace, or each
/// configured one — publishing their union to the catalog once every scope has listed, and after
/// every change. Kubernetes models win over file models of the same identity.
///
/// Runs on the control loop, with its own connection pool and TLS context for the API server.
final class KubernetesCatalogSource: @unchecked Sendable {
    static let sourceName = "kubernetes"
    /// Above `FileCatalogSource.priority`: SPEC 1 says the Kubernetes copy wins.
    static let priority = 1

    private let store: CatalogStore
    private let informers: [KubernetesInformer]
    private let pool: UpstreamConnectionPool
    private let logger: Logger

    /// Reads the credentials and builds the API server's TLS context; an error names what is wrong.
    init(
        configuration: KubernetesSourceConfiguration,
        store: CatalogStore,
        loop: EventLoop,
        logger: Logger
    ) throws {
        let access =
            try configuration.kubeconfig.map { path throws(KubernetesAccessError) in
                try KubernetesAccess.kubeconfig(path)
            } ?? KubernetesAccess.inCluster()
        let tls = try UpstreamTLSContext(material: access.tls)
        let pool = UpstreamConnectionPool(loop: loop, tls: tls)
        self.pool = pool
        self.store = store
        self.logger = logger
        let scopes: [String?] = configuration.namespaces.isEmpty ? [nil] : configuration.namespaces.map { $0 }
        informers = scopes.map { KubernetesInformer(access: access, pool: pool, namespace: $0, logger: logger) }
        logger.info(
            "kubernetes source",
            metadata: [
                "server": "\(access.server.scheme)://\(access.server.hostHeader)", "credentials": "\(access.label)",
                "namespaces":
                    "\(configuration.namespaces.isEmpty ? "all" : configuration.namespaces.joined(separator: ","))",
            ]
        )
    }

    /// Starts listing; call on the control loop's thread (or before it runs).
    func start() {
        for informer in informers {
            informer.onChange = { [weak self] in self?.publish() }
            informer.start()
        }
    }

    /// SIGHUP: list every scope again.
    func relist() {
        for informer in informers { informer.relist() }
    }

    func stop() {
        for informer in informers { informer.stop() }
    }

    private func publish() {
        guard informers.allSatisfy(\.hasListed) else { return }
        var models: [ModelID: MaaSModel] = [:]
        for informer in informers { models.merge(informer.models) { first, _ in first } }
        store.publish(
            source: Self.sourceName,
            priority: Self.priority,
            models: models.values.sorted { $0.id.description < $1.id.description }
        )
    }
}
