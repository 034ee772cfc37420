import Logging
import Routing

/// The Kubernetes model source (SPEC 1): one informer per resource (`maasmodels`, `maasmodelrefs`)
/// and watched scope — every namespace, or each configured one — publishing their union to the
/// catalog once every informer has listed (a resource the server does not serve counts as listed,
/// empty), and after every change. For one identity a `MaaSModelRef` wins over a `MaaSModel`
/// (logged as one line while the overlap lasts). Kubernetes models win over file models.
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
        informers = ModelResourceKind.allCases.flatMap { resource in
            scopes.map {
                KubernetesInformer(
                    resource: resource,
                    access: access,
                    pool: pool,
                    namespace: $0,
                    logger: logger,
                    warnings: store.warnings
                )
            }
        }
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
        var overlap: [String] = []
        for informer in informers {
            models.merge(informer.models) { first, second in
                guard first.resource != second.resource else { return first }
                overlap.append(first.id.description)
                return first.resource.precedence >= second.resource.precedence ? first : second
            }
        }
        store.warnings.update(
            condition: "kubernetes kinds",
            CatalogWarnings.ConditionText(
                message: "MaaSModel and MaaSModelRef define the same models; using the MaaSModelRef",
                cleared: "no model is defined by both a MaaSModel and a MaaSModelRef any more",
                groupKey: "source"
            ),
            groups: overlap.isEmpty ? [:] : [Self.sourceName: overlap.sorted()]
        )
        store.publish(
            source: Self.sourceName,
            priority: Self.priority,
            models: models.values.sorted { $0.id.description < $1.id.description }
        )
    }
}
