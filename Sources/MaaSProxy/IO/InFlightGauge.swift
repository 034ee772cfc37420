import Synchronization

/// Requests received and not yet answered, across all workers; shutdown waits for it to reach zero.
final class InFlightGauge: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }
    func decrement() { count.subtract(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
