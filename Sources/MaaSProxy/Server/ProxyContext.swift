import AccessCheck
import Logging
import Routing
import Synchronization

/// What every worker shares: configuration, the catalog, the decision cache and the self-probe rule.
final class ProxyContext: Sendable {
    let configuration: ProxyConfiguration
    let catalog: CatalogStore
    let decisionCache: DecisionCache
    let digest: OpenSSLDigest
    /// The verifying TLS client context for `https` endpoints (SPEC 3.2), shared by every worker.
    let upstreamTLS: UpstreamTLSContext
    /// The listeners' TLS when `tls.certificate` and `tls.privateKey` are set (SPEC 6).
    let listenerTLS: ListenerTLS?
    let logger: Logger
    let metrics: ProxyMetrics
    /// Backend health shared by every worker's probes and forwarded calls (SPEC 3.2).
    let originHealth: OriginHealth
    /// The access line's `credentialId` (SPEC 7).
    let credentialIDs: CredentialIDs
    /// Set once the listeners are bound (their real ports feed the self-probe rule of SPEC 3.1).
    private let selector: Mutex<CandidateSelector>
    /// The last snapshot generation whose exclusions were logged, so each change is logged once.
    private let loggedGeneration = Mutex<UInt64?>(nil)
    /// Candidates and route table of the current snapshot, rebuilt when the catalog changes.
    private let currentRouting = Mutex<RoutingState?>(nil)

    init(configuration: ProxyConfiguration, catalog: CatalogStore, logger: Logger) throws {
        self.upstreamTLS = try UpstreamTLSContext(
            caBundle: configuration.upstream.caBundle,
            insecureSkipVerify: configuration.upstream.insecureSkipVerify
        )
        if let certificate = configuration.tls.certificate, let privateKey = configuration.tls.privateKey {
            self.listenerTLS = try ListenerTLS(certificate: certificate, privateKey: privateKey)
        } else {
            self.listenerTLS = nil
        }
        if configuration.upstream.insecureSkipVerify {
            logger.warning("upstream.insecureSkipVerify is on: backend certificates are NOT verified; development only")
        }
        self.configuration = configuration
        self.catalog = catalog
        self.logger = logger
        self.digest = OpenSSLDigest()
        self.credentialIDs = try CredentialIDs(configuration: configuration.usage, digest: digest)
        self.decisionCache = DecisionCache(maxEntries: configuration.cache.maxEntries)
        let healthLog = OriginHealthLog(logger: logger)
        self.originHealth = OriginHealth(random: { Double.random(in: 0..<1) }, onTransition: healthLog.record)
        self.metrics = ProxyMetrics(
            catalog: catalog,
            cache: decisionCache,
            health: originHealth,
            enabled: configuration.metrics.enabled
        )
        self.selector = Mutex(CandidateSelector(httpsOnly: configuration.upstream.httpsOnly, selfAddresses: []))
    }

    /// Installs the self-probe rule from the bound listener addresses and the configured public URL.
    func setListenerAddresses(_ addresses: [BoundAddress]) {
        var selfAddresses = addresses.map { SelfAddress(host: $0.host, port: $0.port) }
        if let publicURL = configuration.publicURL.flatMap(EndpointURL.init(parsing:)) {
            selfAddresses.append(SelfAddress(host: publicURL.host, port: publicURL.port))
        }
        selector.withLock {
            $0 = CandidateSelector(httpsOnly: configuration.upstream.httpsOnly, selfAddresses: selfAddresses)
        }
        currentRouting.withLock { $0 = nil }
    }

    /// The routing state of the current catalog snapshot (built once per catalog change).
    func routing() -> RoutingState {
        let snapshot = catalog.snapshot
        if let state = currentRouting.withLock({ $0 }), state.generation == snapshot.generation { return state }
        let candidates = candidates(in: snapshot)
        let state = RoutingState(
            generation: snapshot.generation,
            candidates: candidates,
            table: RouteTable(candidates: candidates)
        )
        for conflict in state.table.conflicts {
            logger.warning(
                "route prefix claimed by several models",
                metadata: [
                    "prefix": "\(conflict.prefix)", "winner": "\(conflict.winner)",
                    "shadowed": "\(conflict.shadowed.map(\.description).joined(separator: ","))",
                ]
            )
        }
        for route in state.table.routes where route.prefix == "/v1" || route.prefix.hasPrefix("/v1/") {
            // SPEC 5.1 makes the endpoint's path the prefix; under /v1 it captures OpenAI paths
            // (`/v1` takes every /v1/… call) before routing by the body's `model` can run.
            logger.warning(
                "route prefix shadows OpenAI API paths; calls under it never route by the body's model",
                metadata: ["prefix": "\(route.prefix)", "model": "\(route.model.id)"]
            )
        }
        currentRouting.withLock { $0 = state }
        return state
    }

    /// The candidates of SPEC 3.1 in `snapshot`; exclusions are logged once per catalog change.
    func candidates(in snapshot: CatalogSnapshot) -> [Candidate] {
        let selection = selector.withLock { $0.select(from: snapshot) }
        let firstTime = loggedGeneration.withLock { logged in
            defer { logged = snapshot.generation }
            return logged != snapshot.generation
        }
        if firstTime {
            for exclusion in selection.excluded {
                logger.warning(
                    "model excluded from listing and routing",
                    metadata: ["model": "\(exclusion.model)", "reason": "\(exclusion.reason)"]
                )
            }
        }
        return selection.candidates
    }
}

/// What forwarding needs from one catalog snapshot (SPEC 5.1).
struct RoutingState: Sendable {
    var generation: UInt64
    var candidates: [Candidate]
    var table: RouteTable
}
