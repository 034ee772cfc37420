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
        // Grouped conditions: logged when they appear, change or clear, not on every rebuild (SPEC 6 Logs).
        var conflicts: [String: [String]] = [:]
        for conflict in state.table.conflicts {
            conflicts[conflict.prefix] = ([conflict.winner] + conflict.shadowed).map(\.description)
        }
        catalog.warnings.update(
            condition: "route conflicts",
            CatalogWarnings.ConditionText(
                message: "route prefix claimed by several models; the first model is used",
                cleared: "route prefix no longer claimed by several models",
                groupKey: "prefix"
            ),
            groups: conflicts
        )
        // SPEC 5.1 makes the endpoint's path the prefix; under /v1 it captures OpenAI paths
        // (`/v1` takes every /v1/… call) before routing by the body's `model` can run.
        let underV1 = state.table.routes.filter { $0.prefix == "/v1" || $0.prefix.hasPrefix("/v1/") }
        catalog.warnings.update(
            condition: "routes under /v1",
            CatalogWarnings.ConditionText(
                message: "route prefixes shadow OpenAI API paths; calls under them never route by the body's model",
                cleared: "no route prefix shadows OpenAI API paths any more",
                groupKey: "routes"
            ),
            groups: underV1.isEmpty ? [:] : ["/v1": underV1.map { "\($0.prefix) (\($0.model.id))" }]
        )
        let replaced = currentRouting.withLock { current in
            defer { current = state }
            return current?.candidates.count ?? 0
        }
        // The routing state of a large catalog that shrank was just freed (the last reference, unless
        // a request still holds it): hand its pages back, as the catalog does (MemoryRelease).
        if replaced - candidates.count >= MemoryRelease.modelThreshold { MemoryRelease.trimHeap() }
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
            // One line per reason while its set of models lasts, not one per model per change (SPEC 6 Logs).
            var byReason: [String: [String]] = [:]
            for exclusion in selection.excluded {
                byReason[exclusion.reason.description, default: []].append(exclusion.model.description)
            }
            catalog.warnings.update(
                condition: "exclusions",
                CatalogWarnings.ConditionText(
                    message: "models excluded from listing and routing",
                    cleared: "no model excluded for this reason any more",
                    groupKey: "reason"
                ),
                groups: byReason
            )
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
