/// One worker's way into the token series (SPEC 7). The series of the model it recorded last stay at
/// hand, so a worker serving one model mostly pays a string comparison instead of a locked,
/// hashed lookup (bench/results/profile-usage.txt). Loop-thread only.
final class UsageRecorder {
    private let metrics: ProxyMetrics
    private var last: (model: String, series: UsageSeries)?

    init(metrics: ProxyMetrics) { self.metrics = metrics }

    /// The tokens one metered answer of `model` reported; an answer that reported none counts as missing.
    func record(model: String, _ report: UsageReport) {
        if let last, last.model == model { return last.series.record(report) }
        guard let series = metrics.usageSeries(for: model) else { return }
        last = (model, series)
        series.record(report)
    }
}
