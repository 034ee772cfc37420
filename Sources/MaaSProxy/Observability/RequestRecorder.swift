import Prometheus

/// One worker's way into the request series (SPEC 6): the series of the labels it recorded last
/// stay at hand, so a worker answering one model mostly pays string comparisons instead of a
/// locked, hashed lookup shared with every other worker. Loop-thread only.
final class RequestRecorder {
    private let metrics: ProxyMetrics
    private var lastAnswer: (route: String, model: String?, status: Int, series: (Counter, DurationHistogram))?
    private var lastUpstream: (model: String, histogram: DurationHistogram)?

    init(metrics: ProxyMetrics) { self.metrics = metrics }

    /// One answered request.
    func answered(route: String, model: String?, status: Int, duration: Duration) {
        if let last = lastAnswer, last.status == status, last.route == route, last.model == model {
            last.series.0.increment()
            last.series.1.record(duration)
            return
        }
        guard let series = metrics.requestSeries(route: route, model: model, status: status) else { return }
        lastAnswer = (route, model, status, series)
        series.0.increment()
        series.1.record(duration)
    }

    /// The time from sending a forwarded call of `model` to its response head.
    func upstreamHeadReceived(model: String, latency: Duration) {
        if let last = lastUpstream, last.model == model { return last.histogram.record(latency) }
        guard let histogram = metrics.upstreamHistogram(model: model) else { return }
        lastUpstream = (model, histogram)
        histogram.record(latency)
    }
}
