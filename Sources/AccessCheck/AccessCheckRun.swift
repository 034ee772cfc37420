import Routing

/// One access check in progress. Confined to its scheduler's thread: every method runs there
/// (callbacks from other threads arrive through `scheduler.execute`).
final class AccessCheckRun: @unchecked Sendable {
    private struct Probe {
        var candidate: Candidate
        var ticket: ProbeTicket
        var request: ProbeRequest
        var attempts = 0
        var startedAt: MonotonicInstant?
        var cancellation: (any ProbeCancellation)?
        var retryTimer: (any ScheduledWork)?
    }

    private let checker: AccessChecker
    /// The checker's settings when this check started; a reload applies to later checks only.
    private let settings: AccessCheckSettings
    private let caller: Caller
    private let scheduler: any LoopScheduler
    private let bypassCache: Bool
    private var completion: (@Sendable (AccessCheckResult) -> Void)?
    private let deadline: MonotonicInstant

    private var decisions: [ModelID: Decision] = [:]
    private var oldestWall: Double?
    private var waiting: Set<ModelID> = []
    private var queued: [ModelID] = []
    private var probes: [ModelID: Probe] = [:]
    private var inFlight = 0
    private var deadlineTimer: (any ScheduledWork)?
    private var probesSent = 0
    private var cacheHits = 0
    private var coalesced = 0

    init(
        checker: AccessChecker,
        caller: Caller,
        scheduler: any LoopScheduler,
        bypassCache: Bool,
        completion: @escaping @Sendable (AccessCheckResult) -> Void
    ) {
        self.checker = checker
        self.settings = checker.settings
        self.caller = caller
        self.scheduler = scheduler
        self.bypassCache = bypassCache
        self.completion = completion
        self.deadline = scheduler.now + settings.deadline
    }

    func start(_ candidates: [Candidate]) {
        let credential = CredentialDigest(caller: caller, digest: checker.digest)
        let now = scheduler.now
        for candidate in candidates {
            let id = candidate.model.id
            guard let request = checker.builder.request(for: candidate, caller: caller) else {
                // Kinds without a probe (ExternalModel): visible iff Ready, never cached (SPEC 2).
                let outcome: Decision.Outcome =
                    candidate.model.isReady ? .granted(served: [], via405: false) : .denied(status: nil)
                decisions[id] = Decision(outcome: outcome, decidedAtWall: scheduler.wallClockSeconds, expiresAt: now)
                continue
            }
            let key = checker.key(for: candidate, credential: credential)
            let lookup = checker.cache.lookup(key, now: now, bypassCache: bypassCache) { [self, scheduler] decision in
                scheduler.execute { self.delivered(id, decision) }
            }
            switch lookup {
            case .hit(let decision):
                cacheHits += 1
                record(id, decision)
            case .coalesced:
                coalesced += 1
                waiting.insert(id)
            case .miss(let ticket):
                waiting.insert(id)
                probes[id] = Probe(candidate: candidate, ticket: ticket, request: request)
                queued.append(id)
            }
        }
        guard !waiting.isEmpty else { return finish() }
        deadlineTimer = scheduler.schedule(after: deadline.since(scheduler.now)) { [self] in self.deadlineReached() }
        pump()
    }

    /// Starts queued probes while fewer than `concurrency` are in flight (SPEC 3.2).
    private func pump() {
        while inFlight < settings.concurrency, !queued.isEmpty, completion != nil {
            let id = queued.removeFirst()
            inFlight += 1
            attempt(id)
        }
    }

    private func attempt(_ id: ModelID) {
        guard var probe = probes[id] else { return }
        probe.attempts += 1
        probe.retryTimer = nil
        if probe.startedAt == nil { probe.startedAt = scheduler.now }
        probesSent += 1
        let remaining = deadline.since(scheduler.now)
        probes[id] = probe
        probes[id]?.cancellation = checker.transport.send(
            probe.request,
            maxBodyBytes: settings.maxProbeBodyBytes,
            timeout: remaining
        ) { [self] response in
            self.answered(id, response)
        }
    }

    private func answered(_ id: ModelID, _ response: ProbeResponse) {
        guard var probe = probes[id], completion != nil else { return }
        probe.cancellation = nil
        probes[id] = probe
        switch ProbeClassifier.classify(response) {
        case .granted(let served, let via405):
            decide(id, .granted(served: served, via405: via405))
        case .denied(let status):
            decide(id, .denied(status: status))
        case .retryable(let reason):
            guard let delay = settings.retry.delay(afterAttempt: probe.attempts, random: checker.random()),
                scheduler.now + delay < deadline
            else { return decide(id, .unavailable(reason: reason)) }
            probes[id]?.retryTimer = scheduler.schedule(after: delay) { [self] in self.attempt(id) }
        }
    }

    /// Stores a probe's decision in the cache (releasing its waiters) and in this check's result.
    private func decide(_ id: ModelID, _ outcome: Decision.Outcome) {
        guard let probe = probes.removeValue(forKey: id) else { return }
        let decision = settings.lifetimes.decision(outcome, at: scheduler)
        checker.cache.complete(probe.ticket, with: decision)
        checker.observer?.probeFinished(
            model: id,
            kind: probe.candidate.model.listedKind,
            outcome: outcome,
            attempts: probe.attempts,
            latency: scheduler.now.since(probe.startedAt ?? scheduler.now)
        )
        inFlight -= 1
        record(id, decision)
        waiting.remove(id)
        if waiting.isEmpty { return finish() }
        pump()
    }

    /// A decision from another caller's probe (single flight).
    private func delivered(_ id: ModelID, _ decision: Decision) {
        guard completion != nil, waiting.remove(id) != nil else { return }
        record(id, decision)
        if waiting.isEmpty { finish() }
    }

    private func record(_ id: ModelID, _ decision: Decision) {
        decisions[id] = decision
        oldestWall = min(oldestWall ?? decision.decidedAtWall, decision.decidedAtWall)
    }

    /// SPEC 3.2: what is still pending counts as unavailable; our own probes complete their tickets
    /// so that coalesced waiters elsewhere are released too.
    private func deadlineReached() {
        deadlineTimer = nil
        guard completion != nil else { return }
        for (id, probe) in probes {
            probe.cancellation?.cancel()
            probe.retryTimer?.cancel()
            let decision = settings.lifetimes.decision(.unavailable(reason: "probe deadline"), at: scheduler)
            checker.cache.complete(probe.ticket, with: decision)
            record(id, decision)
        }
        probes.removeAll()
        queued.removeAll()
        let unavailable = Decision(
            outcome: .unavailable(reason: "probe deadline"),
            decidedAtWall: scheduler.wallClockSeconds,
            expiresAt: scheduler.now
        )
        for id in waiting where decisions[id] == nil { decisions[id] = unavailable }
        waiting.removeAll()
        finish()
    }

    private func finish() {
        guard let completion else { return }
        self.completion = nil
        deadlineTimer?.cancel()
        deadlineTimer = nil
        completion(
            AccessCheckResult(
                decisions: decisions,
                oldestDecisionWall: oldestWall,
                probesSent: probesSent,
                cacheHits: cacheHits,
                coalesced: coalesced
            )
        )
    }
}
