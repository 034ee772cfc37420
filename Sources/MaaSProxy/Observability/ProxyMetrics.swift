import AccessCheck
import Prometheus
import Routing
import Synchronization

/// The Prometheus series of SPEC 6, prefix `maas_proxy_`, served on the admin listener's `/metrics`.
///
/// Label values are bounded: routes are a fixed set, models are catalog identities (or `none`),
/// statuses are HTTP codes, kinds are registry kinds. Cache and catalog series are read from their
/// owners at scrape time, so the hot path pays nothing for them.
///
/// With `metrics.enabled: false` every recording method returns at once, so the request path
/// records nothing (requests, upstream latency, active streams, probes); `/metrics` still answers
/// with the scrape-time series only.
final class ProxyMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// `metrics.enabled`: false, nothing is recorded on the request path.
    let enabled: Bool
    private let catalog: CatalogStore
    private let cache: DecisionCache
    /// Backend health (SPEC 3.2): origins down and transitions, read at scrape time.
    private let health: OriginHealth?
    private let reportedTransitions = Mutex((down: 0, up: 0))
    /// Cache counters already turned into counter increments (the cache keeps running totals).
    private let reported = Mutex((hits: 0, misses: 0, coalesced: 0))
    private let reportedReloadErrors = Mutex(0)

    /// From 100 µs (proxy work) to 10 minutes (long generations).
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
    ]

    /// Forwarded calls between admission and their end (streams and buffered answers alike); not
    /// registered when disabled, rather than reading 0 forever.
    private let activeStreams: Gauge?
    /// The registry validates names and help text on every `make…` call (a measurable share of a
    /// proxied request in bench/forwarding.sh), so each label set's series is looked up here.
    private let requestSeries = SeriesCache<RequestLabels, (Counter, DurationHistogram)>()
    private let upstreamSeries = SeriesCache<String, DurationHistogram>()
    private let usageSeries = SeriesCache<String, UsageSeries>()

    /// OpenTelemetry GenAI's advice for `gen_ai.server.time_to_first_token` (seconds).
    static let timeToFirstTokenBuckets: [Duration] = [
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    ].map { .milliseconds(Int64($0 * 1000)) }
    /// OpenTelemetry GenAI's advice for `gen_ai.server.time_per_output_token` (seconds).
    static let timePerOutputTokenBuckets: [Duration] = [
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
    ].map { .milliseconds(Int64($0 * 1000)) }

    init(catalog: CatalogStore, cache: DecisionCache, health: OriginHealth? = nil, enabled: Bool = true) {
        self.catalog = catalog
        self.cache = cache
        self.health = health
        self.enabled = enabled
        self.activeStreams = enabled ? registry.makeGauge(descriptor: Series.activeStreams) : nil
    }

    func forwardStarted() {
        guard enabled else { return }
        activeStreams?.increment()
    }

    func forwardEnded() {
        guard enabled else { return }
        activeStreams?.decrement()
    }

    /// The histogram of the time from sending a forwarded call of `model` to its response head,
    /// made on first use; nil when metrics are off. `RequestRecorder` keeps a worker's last at hand.
    func upstreamHistogram(model: String) -> DurationHistogram? {
        guard enabled else { return nil }
        return upstreamSeries.series(for: model) {
            registry.makeDurationHistogram(
                descriptor: Series.upstreamDuration,
                labels: [("model", model)],
                buckets: Self.latencyBuckets
            )
        }
    }

    /// The series one answered request counts in (`requests_total` of its labels and the route's
    /// duration histogram), made on first use; nil when metrics are off.
    func requestSeries(route: String, model: String?, status: Int) -> (Counter, DurationHistogram)? {
        guard enabled else { return nil }
        let labels = RequestLabels(route: route, model: model ?? "none", status: status)
        return requestSeries.series(for: labels) {
            (
                registry.makeCounter(
                    descriptor: Series.requests,
                    labels: [("route", route), ("model", labels.model), ("status", String(status))]
                ),
                registry.makeDurationHistogram(
                    descriptor: Series.requestDuration,
                    labels: [("route", route)],
                    buckets: Self.latencyBuckets
                )
            )
        }
    }

    /// The token series of `model` (SPEC 7), made on first use; nil when metrics are off.
    /// `UsageRecorder` keeps what a worker asked last at hand.
    func usageSeries(for model: String) -> UsageSeries? {
        guard enabled else { return nil }
        return usageSeries.series(for: model) { UsageSeries(registry: registry, model: model) }
    }

    /// The text format of every series, refreshing the scrape-time ones first.
    func scrape() -> [UInt8] {
        refreshCache()
        refreshCatalog()
        refreshHealth()
        return registry.emitToBuffer()
    }

    private func refreshCache() {
        let now = cache.statistics
        let delta = reported.withLock { last -> [(String, Int)] in
            defer { last = (now.hits, now.misses, now.coalesced) }
            return [
                ("hit", now.hits - last.hits), ("miss", now.misses - last.misses),
                ("coalesced", now.coalesced - last.coalesced),
            ]
        }
        for (result, count) in delta {
            registry.makeCounter(descriptor: Series.cacheLookups, labels: [("result", result)])
                .increment(by: Int64(count))
        }
        registry.makeGauge(descriptor: Series.cacheEntries).set(Double(now.size))
    }

    /// No origin label: origins are not catalog identities, and a catalog of thousands of dead
    /// endpoints would make thousands of series; the log line of each transition names the origin.
    private func refreshHealth() {
        guard let health else { return }
        let now = health.statistics
        let delta = reportedTransitions.withLock { last -> (down: Int, up: Int) in
            defer { last = (now.wentDown, now.cameUp) }
            return (now.wentDown - last.down, now.cameUp - last.up)
        }
        registry.makeGauge(descriptor: Series.originsDown).set(Double(now.down))
        registry.makeCounter(descriptor: Series.originTransitions, labels: [("to", "down")])
            .increment(by: Int64(delta.down))
        registry.makeCounter(descriptor: Series.originTransitions, labels: [("to", "up")])
            .increment(by: Int64(delta.up))
    }

    private func refreshCatalog() {
        let models = catalog.snapshot.models
        for phase in ["Ready", "Pending", "Unhealthy", "Failed", "Unknown"] {
            let count = models.filter { ($0.phase.isEmpty ? "Unknown" : $0.phase) == phase }.count
            registry.makeGauge(descriptor: Series.catalogModels, labels: [("phase", phase)]).set(Double(count))
        }
        let errors = catalog.reloadErrors
        let delta = reportedReloadErrors.withLock { last -> Int in
            defer { last = errors }
            return errors - last
        }
        registry.makeCounter(descriptor: Series.reloadErrors).increment(by: Int64(delta))
    }
}

extension ProxyMetrics: AccessCheckObserver {
    func probeFinished(model: ModelID, kind: String, outcome: Decision.Outcome, attempts: Int, latency: Duration) {
        guard enabled else { return }
        registry.makeCounter(descriptor: Series.probes, labels: [("kind", kind), ("outcome", outcome.name)])
            .increment()
        registry.makeCounter(descriptor: Series.probeAttempts, labels: [("kind", kind)]).increment(by: Int64(attempts))
        registry.makeDurationHistogram(
            descriptor: Series.probeDuration,
            labels: [("kind", kind)],
            buckets: Self.latencyBuckets
        ).record(latency)
    }
}

/// Series already made, by label set: the registry validates names and help text on every
/// `make…` call, too slow for the request path.
private final class SeriesCache<Key: Hashable & Sendable, Value>: @unchecked Sendable {
    private let made = Mutex<[Key: Value]>([:])

    func series(for key: Key, make: () -> Value) -> Value {
        made.withLock { made in
            if let series = made[key] { return series }
            let series = make()
            made[key] = series
            return series
        }
    }
}

/// The token series of one model (SPEC 7), made on its first metered answer. A class: a worker keeps
/// the last one at hand (`UsageRecorder`), and a struct of six references cost six retains and
/// releases each time it was copied out.
final class UsageSeries: @unchecked Sendable {
    let input: Counter
    let output: Counter
    let cachedInput: Counter
    let missing: Counter
    let timeToFirstToken: DurationHistogram
    let timePerOutputToken: DurationHistogram

    init(registry: PrometheusCollectorRegistry, model: String) {
        func tokens(_ type: String) -> Counter {
            registry.makeCounter(descriptor: Series.tokens, labels: [("model", model), ("type", type)])
        }
        input = tokens("input")
        output = tokens("output")
        cachedInput = tokens("cached_input")
        missing = registry.makeCounter(descriptor: Series.usageMissing, labels: [("model", model)])
        timeToFirstToken = registry.makeDurationHistogram(
            descriptor: Series.timeToFirstToken,
            labels: [("model", model)],
            buckets: ProxyMetrics.timeToFirstTokenBuckets
        )
        timePerOutputToken = registry.makeDurationHistogram(
            descriptor: Series.timePerOutputToken,
            labels: [("model", model)],
            buckets: ProxyMetrics.timePerOutputTokenBuckets
        )
    }

    /// One metered answer; one that reported nothing counts as missing.
    func record(_ report: UsageReport) {
        let usage = report.usage
        if usage.isEmpty { missing.increment() }
        if let input = usage.input, input > 0 { self.input.increment(by: Int64(input)) }
        if let output = usage.output, output > 0 { self.output.increment(by: Int64(output)) }
        if let cached = usage.cachedInput, cached > 0 { cachedInput.increment(by: Int64(cached)) }
        if let ttft = report.timeToFirstToken { timeToFirstToken.record(ttft) }
        if let tpot = report.timePerOutputToken { timePerOutputToken.record(tpot) }
    }
}

/// The labels of one `requests` series.
private struct RequestLabels: Hashable {
    var route: String
    var model: String
    var status: Int
}

/// Every series' name and help text, in one place.
private enum Series {
    static var requests: MetricNameDescriptor {
        describe("requests", "total", "Requests answered, by route, model and status.")
    }
    static var requestDuration: MetricNameDescriptor {
        describe("request_duration", "seconds", "Time from request received to answer handed to the socket.")
    }
    static var upstreamDuration: MetricNameDescriptor {
        describe("upstream_duration", "seconds", "Time from sending a forwarded call to the backend's response head.")
    }
    static var activeStreams: MetricNameDescriptor {
        describe("active_streams", "", "Forwarded calls in flight (streamed or buffered).")
    }
    static var probes: MetricNameDescriptor {
        describe("probes", "total", "Access decisions probed, by kind and outcome (retries counted once).")
    }
    static var probeAttempts: MetricNameDescriptor {
        describe("probe_attempts", "total", "Probe HTTP attempts, retries included.")
    }
    static var probeDuration: MetricNameDescriptor {
        describe("probe_duration", "seconds", "Time to a probe's decision, retries included.")
    }
    static var cacheLookups: MetricNameDescriptor {
        describe("decision_cache_lookups", "total", "Decision-cache lookups by result.")
    }
    static var cacheEntries: MetricNameDescriptor {
        describe("decision_cache_entries", "", "Decisions held in the cache.")
    }
    static var originsDown: MetricNameDescriptor {
        describe("backend_origins_down", "", "Backend origins (scheme, host, port) marked down now.")
    }
    static var originTransitions: MetricNameDescriptor {
        describe("backend_origin_transitions", "total", "Backend origins marked down (to=down) or up again (to=up).")
    }
    static var catalogModels: MetricNameDescriptor { describe("catalog_models", "", "Catalog models by phase.") }
    static var reloadErrors: MetricNameDescriptor {
        describe("catalog_reload_errors", "total", "Manifest files that failed to load.")
    }

    static var tokens: MetricNameDescriptor {
        describe(
            "tokens",
            "total",
            "Tokens answers reported, by model and type (input, output, cached_input); gen_ai.client.token.usage."
        )
    }
    static var usageMissing: MetricNameDescriptor {
        describe("usage_missing", "total", "2xx inference answers that ended without reporting usage.")
    }
    static var timeToFirstToken: MetricNameDescriptor {
        describe(
            "time_to_first_token",
            "seconds",
            "Streams: request received whole to first body byte relayed; gen_ai.server.time_to_first_token."
        )
    }
    static var timePerOutputToken: MetricNameDescriptor {
        describe(
            "time_per_output_token",
            "seconds",
            "Streams: time after the first byte per later output token; gen_ai.server.time_per_output_token."
        )
    }

    private static func describe(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "maas_proxy", metricName: name, unitName: unit, helpText: help)
    }
}
