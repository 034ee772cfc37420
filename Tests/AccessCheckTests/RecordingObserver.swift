import AccessCheck
import Routing
import Synchronization

/// Records every observer call, in order.
final class RecordingObserver: AccessCheckObserver {
    struct Attempt: Equatable {
        var model: String
        var kind: String
        var attempt: Int
        var classification: ProbeClassification?
        var latency: Duration
    }

    struct Finish: Equatable {
        var model: String
        var outcome: String
        var attempts: Int
        var latency: Duration
    }

    private let calls = Mutex<([Attempt], [Finish])>(([], []))

    var attempts: [Attempt] { calls.withLock { $0.0 } }
    var finishes: [Finish] { calls.withLock { $0.1 } }

    func probeAttempted(
        model: ModelID,
        kind: String,
        attempt: Int,
        classification: ProbeClassification?,
        latency: Duration
    ) {
        let record = Attempt(
            model: model.name,
            kind: kind,
            attempt: attempt,
            classification: classification,
            latency: latency
        )
        calls.withLock { $0.0.append(record) }
    }

    func probeFinished(model: ModelID, kind: String, outcome: Decision.Outcome, attempts: Int, latency: Duration) {
        let record = Finish(model: model.name, outcome: outcome.name, attempts: attempts, latency: latency)
        calls.withLock { $0.1.append(record) }
    }
}
