/// Prometheus metrics (`metrics.*`, SPEC 6), read at start only.
struct MetricsConfiguration: Sendable, Equatable {
    /// Record the request-path series (`metrics.enabled`). Off, nothing is recorded while serving
    /// and `/metrics` still answers, with the series read at scrape time only (decision cache and
    /// catalog); for measuring what metrics cost (bench/observability.sh).
    var enabled = true
}
