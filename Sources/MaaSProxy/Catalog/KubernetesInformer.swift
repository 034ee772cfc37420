import AccessCheck
import Foundation
import Logging
import Routing

/// List-then-watch of one resource (`maasmodels` or `maasmodelrefs`) in one scope (all namespaces,
/// or one), the way a client-go informer does it (SPEC 1): paged list; watch from the list's
/// `resourceVersion` with bookmarks; a watch that ends or drops is resumed from the last version
/// seen, without a relist; `410 Gone` (as a status or an ERROR event) starts a new list; failures
/// back off with jitter, capped at 30 s.
///
/// A list answered `404` means the API server does not serve the resource (its CRD is not
/// installed): logged once, the scope counts as listed with no models (it does not hold back
/// `/readyz`), and the list is tried again quietly every `absentRecheck` so a CRD installed later
/// is picked up.
///
/// Confined to the loop of its pool; `onChange` runs there after every applied change.
final class KubernetesInformer: @unchecked Sendable {
    static let apiPrefix = "/apis/maas.opendatahub.io/v1alpha1"
    static let pageSize = 500
    static let maxListBytes = 64 * 1024 * 1024
    static let listTimeout = Duration.seconds(30)
    static let maxBackoff = 30.0
    static let absentRecheck = Duration.seconds(60)

    let resource: ModelResourceKind

    /// The models of this scope as of the last applied event.
    private(set) var models: [ModelID: MaaSModel] = [:]
    /// True once a first list was applied.
    private(set) var hasListed = false
    var onChange: (() -> Void)?

    private let access: KubernetesAccess
    private let pool: UpstreamConnectionPool
    private let path: String
    private let logger: Logger
    private var resourceVersion: String?
    /// Pages of the list in progress.
    private var listing: [ModelID: MaaSModel]?
    private var watch: StreamingUpstreamCall?
    private var list: BufferedUpstreamCall?
    private var watchStatus = 0
    /// Numbers each watch, so the callbacks of one that was abandoned (410) are ignored.
    private var watchGeneration = 0
    private var partialLine: [UInt8] = []
    private var failures = 0
    private var retryTimer: (any ScheduledWork)?
    private var stopped = false
    /// True while the API server answers this resource's list with 404.
    private var absent = false
    private let warnings: CatalogWarnings

    /// - Parameter namespace: nil watches every namespace.
    init(
        resource: ModelResourceKind,
        access: KubernetesAccess,
        pool: UpstreamConnectionPool,
        namespace: String?,
        logger: Logger,
        warnings: CatalogWarnings
    ) {
        self.resource = resource
        self.access = access
        self.pool = pool
        self.path = Self.apiPrefix + (namespace.map { "/namespaces/\($0)" } ?? "") + "/" + resource.plural
        self.logger = logger
        self.warnings = warnings
    }

    func start() { startList(continueToken: nil) }

    /// Lists again from scratch (SIGHUP); the current models stay until the new list is complete.
    func relist() {
        guard !stopped else { return }
        cancelCalls()
        startList(continueToken: nil)
    }

    func stop() {
        stopped = true
        cancelCalls()
    }

    private func cancelCalls() {
        retryTimer?.cancel()
        retryTimer = nil
        watch?.cancel()
        watch = nil
        list?.cancel()
        list = nil
        listing = nil
    }

    // MARK: List

    private func startList(continueToken: String?) {
        var query = "limit=\(Self.pageSize)"
        if let continueToken { query += "&continue=" + Self.percentEncoded(continueToken) }
        if continueToken == nil { listing = [:] }
        list = BufferedUpstreamCall.start(
            pool: pool,
            method: "GET",
            url: url(query: query),
            headers: headers(),
            maxBodyBytes: Self.maxListBytes,
            timeout: Self.listTimeout
        ) { [weak self] response in self?.listAnswered(response) }
    }

    private func listAnswered(_ response: ProbeResponse) {
        list = nil
        guard !stopped else { return }
        switch response {
        case .http(200, let body):
            let page: KubernetesListPage
            do {
                page = try KubernetesDecoder.listPage(String(decoding: body, as: UTF8.self), sourceName: path)
            } catch {
                return retry("list answer unreadable: \(error)") { $0.startList(continueToken: nil) }
            }
            if !page.warnings.isEmpty {
                warnings.several(
                    "kubernetes list page has skipped objects",
                    page.warnings,
                    metadata: ["scope": "\(path)"]
                )
            }
            for model in page.models { listing?[model.id] = model }
            if let next = page.continueToken { return startList(continueToken: next) }
            models = listing ?? [:]
            listing = nil
            resourceVersion = page.resourceVersion
            hasListed = true
            failures = 0
            if absent {
                absent = false
                logger.info("kubernetes resource is served now", metadata: ["scope": "\(path)"])
            }
            logger.info(
                "kubernetes list applied",
                metadata: [
                    "scope": "\(path)", "models": "\(models.count)", "resourceVersion": "\(page.resourceVersion)",
                ]
            )
            onChange?()
            startWatch()
        case .http(404, _):
            resourceAbsent()
        case .http(410, _):
            // The continue token expired (compaction): the list starts over.
            startList(continueToken: nil)
        case .http(let status, _):
            retry("list answered \(status) (\(access.label))") { $0.startList(continueToken: nil) }
        case .bodyTooLarge:
            retry("list page over \(Self.maxListBytes) bytes") { $0.startList(continueToken: nil) }
        case .failed(let reason):
            retry("list failed: \(reason)") { $0.startList(continueToken: nil) }
        }
    }

    /// SPEC 1: a resource type the server does not know is logged once and is not an error.
    private func resourceAbsent() {
        if !absent {
            absent = true
            logger.info(
                "kubernetes resource not served by the API server; reading none, checking again every minute",
                metadata: ["scope": "\(path)", "resource": "\(resource.plural)"]
            )
        }
        listing = nil
        failures = 0
        let hadModels = !models.isEmpty
        models = [:]
        let firstList = !hasListed
        hasListed = true
        if hadModels || firstList { onChange?() }
        retryTimer = pool.loop.schedule(after: Self.absentRecheck) { [weak self] in
            guard let self, !self.stopped else { return }
            self.retryTimer = nil
            self.startList(continueToken: nil)
        }
    }

    // MARK: Watch

    private func startWatch() {
        guard let resourceVersion else { return startList(continueToken: nil) }
        watchStatus = 0
        partialLine = []
        watchGeneration += 1
        let generation = watchGeneration
        // Like client-go: the server ends the watch after a random 4–5 minutes and it is resumed.
        let timeout = Int.random(in: 240...300)
        let query =
            "watch=1&allowWatchBookmarks=true&timeoutSeconds=\(timeout)&resourceVersion="
            + Self.percentEncoded(resourceVersion)
        watch = StreamingUpstreamCall.start(
            pool: pool,
            url: url(query: query),
            headers: headers(),
            handlers: StreamingUpstreamCall.Handlers(
                head: { [weak self] status in
                    guard let self, self.watchGeneration == generation else { return }
                    self.watchStatus = status
                },
                body: { [weak self] bytes in
                    guard let self, self.watchGeneration == generation else { return }
                    self.watchBytes(bytes)
                },
                end: { [weak self] ending in
                    guard let self, self.watchGeneration == generation else { return }
                    self.watchEnded(ending)
                }
            )
        )
    }

    private func watchBytes(_ bytes: [UInt8]) {
        guard watchStatus == 200, watch != nil else { return }
        partialLine += bytes
        var changed = false
        var relist = false
        while let newline = partialLine.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: partialLine[..<newline], as: UTF8.self)
            partialLine.removeSubrange(...newline)
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            switch apply(line) {
            case .changed: changed = true
            case .unchanged: break
            case .expired: relist = true
            }
            if relist { break }
        }
        if changed { onChange?() }
        if relist {
            logger.info("kubernetes watch expired (410); listing again", metadata: ["scope": "\(path)"])
            // Not inside libevent's chunk callback of the call being cancelled: on the next turn.
            let expired = watch
            watch = nil
            watchGeneration += 1
            pool.loop.execute { [weak self] in
                expired?.cancel()
                guard let self, !self.stopped else { return }
                self.startList(continueToken: nil)
            }
        }
    }

    private enum Applied {
        case changed, unchanged, expired
    }

    private func apply(_ line: String) -> Applied {
        let event: KubernetesWatchEvent
        do {
            event = try KubernetesDecoder.watchEvent(line, sourceName: path, resource: resource)
        } catch {
            warnings.warning("kubernetes watch event skipped", metadata: ["error": "\(error)"])
            return .unchanged
        }
        switch event {
        case .upsert(let id, let model, let version, let warning):
            resourceVersion = version.isEmpty ? resourceVersion : version
            if let warning { warnings.warning("kubernetes object skipped", metadata: ["reason": "\(warning)"]) }
            let previous = models[id]
            if let model { models[id] = model } else { models.removeValue(forKey: id) }
            return previous == model ? .unchanged : .changed
        case .delete(let id, let version):
            resourceVersion = version.isEmpty ? resourceVersion : version
            return models.removeValue(forKey: id) == nil ? .unchanged : .changed
        case .bookmark(let version):
            if !version.isEmpty { resourceVersion = version }
            return .unchanged
        case .failure(410, _):
            return .expired
        case .failure(let code, let message):
            warnings.warning("kubernetes watch error event", metadata: ["code": "\(code)", "message": "\(message)"])
            return .unchanged
        }
    }

    private func watchEnded(_ ending: StreamingUpstreamCall.Ending) {
        watch = nil
        guard !stopped else { return }
        switch (ending, watchStatus) {
        case (.completed, 200):
            failures = 0
            startWatch()
        case (_, 410), (_, 404):
            // 404: the resource type went away (its CRD was deleted); the list says so once.
            startList(continueToken: nil)
        case (.failed(let reason), 200):
            // A dropped connection: resume from the last version seen, no relist.
            retry("watch dropped: \(reason)") { $0.startWatch() }
        case (.failed(let reason), _):
            retry("watch failed: \(reason)") { $0.startWatch() }
        case (.completed, let status):
            retry("watch answered \(status) (\(access.label))") { $0.startWatch() }
        }
    }

    // MARK: Helpers

    /// Jittered exponential back-off: 0.5 s doubling to 30 s, ±20 %.
    private func retry(_ reason: String, _ action: @escaping @Sendable (KubernetesInformer) -> Void) {
        let base = min(Self.maxBackoff, 0.5 * pow(2, Double(min(failures, 10))))
        failures += 1
        let delay = base * Double.random(in: 0.8...1.2)
        warnings.warning(
            "kubernetes source retrying",
            metadata: ["scope": "\(path)", "reason": "\(reason)", "inSeconds": "\((delay * 100).rounded() / 100)"]
        )
        retryTimer = pool.loop.schedule(after: .milliseconds(Int64(delay * 1000))) { [weak self] in
            guard let self, !self.stopped else { return }
            self.retryTimer = nil
            action(self)
        }
    }

    private func url(query: String) -> EndpointURL {
        var url = access.server.appendingPath(path)
        url.query = query
        return url
    }

    private func headers() -> [HTTPHeader] {
        var headers = [
            HTTPHeader("Accept", "application/json"),
            HTTPHeader("User-Agent", "maas-proxy/\(MaaSProxyVersion.current)"),
        ]
        if let token = access.bearerToken() { headers.append(HTTPHeader("Authorization", "Bearer \(token)")) }
        return headers
    }

    private static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
