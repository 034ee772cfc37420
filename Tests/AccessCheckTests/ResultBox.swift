import AccessCheck
import Routing

/// Collects every result a check delivers (there must be exactly one), and when it came.
///
/// Confined to the test thread.
final class ResultBox: @unchecked Sendable {
    private let scheduler: ManualScheduler
    private(set) var results: [AccessCheckResult] = []
    private(set) var deliveredAt: [MonotonicInstant] = []

    init(scheduler: ManualScheduler) { self.scheduler = scheduler }

    func deliver(_ result: AccessCheckResult) {
        results.append(result)
        deliveredAt.append(scheduler.now)
    }

    var result: AccessCheckResult? { results.first }

    func outcome(_ name: String, namespace: String = "ns") -> Decision.Outcome? {
        result?.decisions[ModelID(namespace: namespace, name: name)]?.outcome
    }

    func isUnavailable(_ name: String) -> Bool {
        if case .unavailable = outcome(name) { return true }
        return false
    }
}
