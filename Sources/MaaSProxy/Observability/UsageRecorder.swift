import Foundation

/// One worker's way into the token series (SPEC 7). The series of the model it recorded last stay at
/// hand, so a worker serving one model mostly pays a string comparison instead of a locked,
/// hashed lookup (bench/results/profile-usage.txt). Loop-thread only.
final class UsageRecorder {
    private let metrics: ProxyMetrics
    private var lastModel = ""
    private var lastSeries: UsageSeries?

    init(metrics: ProxyMetrics) { self.metrics = metrics }

    /// The tokens one metered answer of `model` reported; an answer that reported none counts as missing.
    func record(model: String, _ report: UsageReport) {
        if let lastSeries, Self.sameBytes(lastModel, model) { return lastSeries.record(report) }
        guard let series = metrics.usageSeries(for: model) else { return }
        lastModel = model
        lastSeries = series
        series.record(report)
    }

    /// Whether the two names have the same UTF-8 bytes: a model name is a fresh String per request, and
    /// `==` on two of them (Unicode canonical equivalence) cost more than the counters. Names equal but
    /// spelled differently only take the locked lookup, which finds the same series.
    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        let same = a.utf8.withContiguousStorageIfAvailable { a in
            b.utf8.withContiguousStorageIfAvailable { b in
                a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
            }
        }
        return same.flatMap { $0 } ?? (a == b)
    }
}
