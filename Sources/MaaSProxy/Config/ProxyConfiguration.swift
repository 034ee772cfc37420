import Routing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything an operator can configure (SPEC 6), with SPEC's defaults.
///
/// `ProxyConfiguration()` is the default configuration. A value is assembled from defaults, a
/// file and flags by `ConfigurationOptions.resolve()`, which also validates it; a value built in
/// code can be checked with `validate()`. Property names follow the file's keys
/// (`probe.deadline` is `probe.deadline`), except `admin.listen`, which is `adminListen`.
struct ProxyConfiguration: Sendable, Equatable {
    /// Proxy listeners (`listen`, `--listen`); all share the workers' event loops.
    var listen: [ListenAddress] = [ListenAddress(host: "0.0.0.0", port: 8080)]
    /// The admin listener: `/healthz`, `/readyz`, `/metrics` (`admin.listen`, `--admin-listen`).
    var adminListen = ListenAddress(host: "127.0.0.1", port: 9090)
    /// The URL clients use to reach this proxy, for self-probe detection (`publicURL`, SPEC 3.1).
    var publicURL: String?
    /// Event loops (`workers`, `--workers`); 1…256, default the number of online processors.
    var workers = ProxyConfiguration.processorCount()
    /// Model sources (`models.*`).
    var models = ModelsConfiguration()
    /// Kinds declared in the configuration (`kinds.<name>.probe`), on top of the built-ins of SPEC 2.
    var kinds: [String: ProbeSpec] = [:]
    /// Access-check limits (`probe.*`).
    var probe = ProbeConfiguration()
    /// Decision cache (`cache.*`).
    var cache = CacheConfiguration()
    /// Listener TLS (`tls.*`).
    var tls = TLSConfiguration()
    /// Backend connections (`upstream.*`).
    var upstream = UpstreamConfiguration()
    /// `GET /v1/models` answers (`listing.*`).
    var listing = ListingConfiguration()
    /// Request size limits (`limits.*`).
    var limits = LimitsConfiguration()
    /// Token usage accounting (`usage.*`).
    var usage = UsageConfiguration()
    /// Logging (`log.*`).
    var log = LogConfiguration()
    /// Prometheus metrics (`metrics.*`).
    var metrics = MetricsConfiguration()
    /// How long in-flight requests may finish after SIGTERM/SIGINT (`shutdownGrace`).
    var shutdownGrace: Duration = .seconds(30)

    static let workerRange = 1...256

    /// The kinds registry this configuration describes: built-ins plus `kinds`.
    var kindRegistry: KindRegistry { KindRegistry(configured: kinds) }

    /// Online processors, clamped to `workerRange`.
    ///
    /// `sysconf` counts the machine's processors, not a container's CPU quota: operators who run
    /// under a quota set `workers` to match it.
    static func processorCount() -> Int {
        let count = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return min(max(Int(count), workerRange.lowerBound), workerRange.upperBound)
    }
}
