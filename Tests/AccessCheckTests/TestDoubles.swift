import AccessCheck
import Routing
import Synchronization

/// A loop with a hand-driven clock: timers fire only when the test advances time.
final class ManualScheduler: LoopScheduler, @unchecked Sendable {
    private struct Timer {
        var id: Int
        var due: MonotonicInstant
        var work: @Sendable () -> Void
    }

    private var timers: [Timer] = []
    private var nextID = 0
    private var queue: [@Sendable () -> Void] = []
    private(set) var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    var wallClockSeconds: Double { 1_790_000_000 + Double(now.nanoseconds) / 1e9 }

    func execute(_ work: @escaping @Sendable () -> Void) { queue.append(work) }

    func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> any ScheduledWork {
        nextID += 1
        timers.append(Timer(id: nextID, due: now + delay, work: work))
        return ManualTimer(id: nextID, scheduler: self)
    }

    func cancel(_ id: Int) { timers.removeAll { $0.id == id } }

    /// Runs work handed over with `execute`.
    func runPending() {
        while !queue.isEmpty { queue.removeFirst()() }
    }

    /// Moves the clock forward, firing due timers in order (and pending work after each).
    func advance(by duration: Duration) {
        let target = now + duration
        runPending()
        while let next = timers.filter({ $0.due <= target }).min(by: { $0.due < $1.due }) {
            timers.removeAll { $0.id == next.id }
            now = max(now, next.due)
            next.work()
            runPending()
        }
        now = target
    }

    var pendingTimers: Int { timers.count }
}

struct ManualTimer: ScheduledWork, @unchecked Sendable {
    let id: Int
    let scheduler: ManualScheduler
    func cancel() { scheduler.cancel(id) }
}

/// A transport whose answers the test scripts; it records what was sent and when.
final class FakeTransport: ProbeTransport, @unchecked Sendable {
    struct Sent {
        var request: ProbeRequest
        var at: MonotonicInstant
        var timeout: Duration
    }

    let scheduler: ManualScheduler
    /// Answer per URL path, one per attempt (the last repeats).
    var script: [String: [ProbeResponse]] = [:]
    var fallback: ProbeResponse = .http(status: 200, body: Array(#"{"data":[]}"#.utf8))
    /// How long each answer takes.
    var latency: Duration = .milliseconds(10)
    private(set) var sent: [Sent] = []
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0
    private(set) var cancelled = 0

    init(scheduler: ManualScheduler) { self.scheduler = scheduler }

    func send(
        _ request: ProbeRequest,
        maxBodyBytes: Int,
        timeout: Duration,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) -> any ProbeCancellation {
        let attempt = sent.filter { $0.request.url == request.url }.count
        sent.append(Sent(request: request, at: scheduler.now, timeout: timeout))
        let answers = script[request.url.path] ?? [fallback]
        let response = answers[min(attempt, answers.count - 1)]
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        let cancellation = FakeCancellation()
        let timer = scheduler.schedule(after: latency) { [self] in
            guard !cancellation.isCancelled else { return }
            self.inFlight -= 1
            completion(response)
        }
        cancellation.onCancel = { [self] in
            timer.cancel()
            self.inFlight -= 1
            self.cancelled += 1
        }
        return cancellation
    }

    func sentPaths() -> [String] { sent.map(\.request.url.path) }
}

final class FakeCancellation: ProbeCancellation, @unchecked Sendable {
    var isCancelled = false
    var onCancel: (() -> Void)?
    func cancel() {
        guard !isCancelled else { return }
        isCancelled = true
        onCancel?()
    }
}

/// Not a real hash: distinct inputs give distinct 32-byte outputs for the sizes tests use.
struct FakeDigest: DigestFunction {
    func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var output: [UInt8] = []
        for round in 0..<4 {
            for byte in bytes + [UInt8(round)] {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            withUnsafeBytes(of: hash) { output.append(contentsOf: $0) }
        }
        return output
    }
}

/// Collects the one result of a check.
final class ResultBox: @unchecked Sendable {
    var results: [AccessCheckResult] = []
    var result: AccessCheckResult? { results.first }
}

enum Fixtures {
    static func candidate(
        _ name: String,
        namespace: String = "ns",
        kind: String = "LLMInferenceService",
        phase: String = "Ready",
        probe: ProbeSpec = .modelsList,
        port: Int = 8000,
        annotations: [String: String] = [:],
        created: Int64? = nil
    ) -> Candidate {
        let endpoint = EndpointURL(scheme: "http", host: "127.0.0.1", port: port, path: "/llm/\(name)", query: nil)
        let model = MaaSModel(
            namespace: namespace,
            name: name,
            creationTimestamp: created,
            annotations: annotations,
            modelRef: ModelRef(kind: kind, name: name),
            phase: phase,
            endpoint: endpoint.description
        )
        return Candidate(model: model, probe: probe, endpoint: endpoint)
    }

    static func caller(_ token: String = "Bearer alice", subscription: String? = nil) -> Caller {
        Caller(credential: Credential(authorizationHeader: token)!, subscription: subscription)
    }

    static func listing(_ ids: [String]) -> ProbeResponse {
        let data = ids.map { #"{"id":"\#($0)","created":1700000000}"# }.joined(separator: ",")
        return .http(status: 200, body: Array(#"{"object":"list","data":[\#(data)]}"#.utf8))
    }

    static func checker(
        _ transport: FakeTransport,
        cache: DecisionCache = DecisionCache(),
        deadline: Duration = .seconds(15),
        concurrency: Int = 10,
        random: @escaping @Sendable () -> Double = { 0 }
    ) -> AccessChecker {
        AccessChecker(
            cache: cache,
            transport: transport,
            digest: FakeDigest(),
            settings: AccessCheckSettings(deadline: deadline, concurrency: concurrency, userAgentVersion: "test"),
            random: random
        )
    }

    static func run(
        _ checker: AccessChecker,
        _ scheduler: ManualScheduler,
        _ candidates: [Candidate],
        caller: Caller = caller(),
        bypassCache: Bool = false
    ) -> ResultBox {
        let box = ResultBox()
        checker.check(caller: caller, candidates: candidates, bypassCache: bypassCache, scheduler: scheduler) {
            box.results.append($0)
        }
        return box
    }
}
