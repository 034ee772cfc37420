import Routing

/// One access check in progress (SPEC 3.2, 4).
///
/// Confined to its scheduler's thread: `AccessChecker.check` creates and starts it there, transport
/// completions and timers come back there, and decisions of other checks' probes (single flight)
/// hop there through `scheduler.execute`. The closures it hands out keep it alive until the last
/// of them has run or been cancelled.
///
/// Deadline: at `deadline` everything not decided counts as unavailable for this response. Probes
/// this check owns are cancelled and their cache tickets completed right then — with `unavailable`
/// stored for its lifetime when an attempt was sent, without storing anything when the probe was
/// still queued — so checks on other loops waiting for them are released too: nobody waits past
/// the prober's deadline. Coalesced waits are simply abandoned: their prober completes them.
///
/// Backend health (SPEC 3.2, `checker.health`): a miss whose origin is down is unavailable at once
/// (no probe, nothing cached, no concurrency slot); probes to origins that are up or unknown start
/// before those whose origin is due a trial; an origin that has not answered yet (unknown, or due
/// a trial) gets one probe of this check at a time, the others waiting for its answer, so a dead
/// origin holds at most one slot; a failed attempt whose origin is now down is not retried; an
/// attempt still unanswered at the deadline is reported to the registry (`unanswered`).
final class AccessCheckRun: @unchecked Sendable {
    private struct Probe {
        var candidate: Candidate
        var ticket: ProbeTicket
        var request: ProbeRequest
        /// Attempts sent so far; also the number of the attempt in flight, if any.
        var attempts = 0
        var startedAt: MonotonicInstant?
        var attemptStartedAt: MonotonicInstant?
        /// True from sending an attempt until its answer (or its cancellation).
        var awaitingAnswer = false
        var cancellation: (any ProbeCancellation)?
        var retryTimer: (any ScheduledWork)?
        /// Scheme, host and port of `request.url`: what backend health is kept by.
        var origin: BackendOrigin
        /// The attempt out holds its origin's one slot (the origin had not answered when it went).
        var holdsOrigin = false
    }

    private let checker: AccessChecker
    /// The checker's settings when this check started; a reload applies to later checks only.
    private let settings: AccessCheckSettings
    private let caller: Caller
    private let scheduler: any LoopScheduler
    private let bypassCache: Bool
    /// nil once called: the check is over.
    private var completion: (@Sendable (AccessCheckResult) -> Void)?
    private let deadline: MonotonicInstant
    private let concurrency: Int

    private var decisions: [ModelID: Decision] = [:]
    private var oldestWall: Double?
    /// Models whose decision is still to come (own probes and coalesced waits).
    private var waiting: Set<ModelID> = []
    /// Own probes not started yet, in candidate order.
    private var queued: [ModelID] = []
    private var queueHead = 0
    /// Own probes: queued, in flight or between attempts.
    private var probes: [ModelID: Probe] = [:]
    /// Own probes started and not decided (they hold a concurrency slot, retry waits included).
    private var active = 0
    private var deadlineTimer: (any ScheduledWork)?
    private var stats = AccessCheckStats()
    /// Queued probes released by their origin's answer: started before `queued`.
    private var ready: [ModelID] = []
    private var readyHead = 0
    /// Queued probes waiting for an origin that has not answered yet and has an attempt out.
    private var deferred: [BackendOrigin: [ModelID]] = [:]
    /// Origins not yet answering with an attempt of this check out (at most one each).
    private var probingOrigins: Set<BackendOrigin> = []
    /// True while `pump` runs: an attempt decided inside it must not start a nested pump.
    private var pumping = false

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
        // SPEC 3.2: the deadline is at least 1 s, even if a caller edited the settings after init.
        self.deadline = scheduler.now + max(settings.deadline, .seconds(1))
        self.concurrency = max(1, settings.concurrency)
    }

    func start(_ candidates: [Candidate]) {
        let credential = CredentialDigest(caller: caller, digest: checker.digest)
        let builder = ProbeRequestBuilder(version: settings.userAgentVersion)
        let now = scheduler.now
        // SPEC 3.2: probes to origins that are up start first; those due a trial after them.
        var dueTrial: [ModelID] = []
        var down: [ModelID] = []
        for candidate in candidates {
            let id = candidate.id
            // A model listed twice is checked once.
            guard decisions[id] == nil, !waiting.contains(id) else { continue }
            guard let request = builder.request(for: candidate, caller: caller) else {
                decisions[id] = Decision.withoutProbe(candidate, at: scheduler)
                continue
            }
            let key = checker.key(for: candidate, credential: credential)
            let lookup = checker.cache.lookup(key, now: now, bypassCache: bypassCache) { [self, scheduler] decision in
                scheduler.execute { self.delivered(id, decision) }
            }
            switch lookup {
            case .hit(let decision):
                stats.cacheHits += 1
                record(id, decision)
            case .coalesced:
                stats.coalesced += 1
                waiting.insert(id)
            case .miss(let ticket):
                stats.cacheMisses += 1
                waiting.insert(id)
                let origin = BackendOrigin(request.url)
                probes[id] = Probe(candidate: candidate, ticket: ticket, request: request, origin: origin)
                switch checker.health?.standing(of: origin, now: now) ?? .unknown {
                case .answering, .unknown: queued.append(id)
                case .trialDue: dueTrial.append(id)
                case .down: down.append(id)
                }
            }
        }
        queued += dueTrial
        for id in down { refuse(id) }
        guard !waiting.isEmpty else { return finish() }
        deadlineTimer = scheduler.schedule(after: deadline.since(scheduler.now)) { [self] in self.deadlineReached() }
        pump()
    }

    /// Starts queued probes while fewer than `concurrency` are active (SPEC 3.2). Not re-entered:
    /// a probe decided while it runs frees its slot for the loop already running.
    private func pump() {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while active < concurrency, completion != nil, let id = nextQueued() {
            guard let probe = probes[id] else { continue }
            if let health = checker.health, probingOrigins.contains(probe.origin),
                health.standing(of: probe.origin, now: scheduler.now) != .answering
            {
                // One attempt at a time to an origin not known to answer: a dead one holds one slot.
                deferred[probe.origin, default: []].append(id)
                continue
            }
            active += 1
            attempt(id)
        }
    }

    private func nextQueued() -> ModelID? {
        if readyHead < ready.count {
            defer { readyHead += 1 }
            return ready[readyHead]
        }
        guard queueHead < queued.count else { return nil }
        defer { queueHead += 1 }
        return queued[queueHead]
    }

    /// The attempt out to `origin` ended: the probes deferred behind it may go — all of them when
    /// the origin now answers (or is down: they are refused at once), else the next one.
    private func releaseOrigin(_ origin: BackendOrigin) {
        guard probingOrigins.remove(origin) != nil, var waiting = deferred.removeValue(forKey: origin) else { return }
        let standing = checker.health?.standing(of: origin, now: scheduler.now) ?? .answering
        if standing == .answering || standing == .down {
            ready += waiting
        } else {
            ready.append(waiting.removeFirst())
            if !waiting.isEmpty { deferred[origin] = waiting }
        }
    }

    /// SPEC 3.2: a miss whose origin is down is unavailable at once, without network traffic.
    /// Nothing is cached when no attempt was sent (the origin's trial may bring it back any
    /// moment); waiters get the answer for their response.
    private func refuse(_ id: ModelID) {
        guard let probe = probes.removeValue(forKey: id) else { return }
        stats.refusedDown += 1
        let outcome = Decision.Outcome.unavailable(reason: "backend origin down")
        let decision = settings.lifetimes.decision(outcome, at: scheduler)
        waiting.remove(id)
        if probe.attempts > 0 {
            record(id, decision)
            checker.cache.complete(probe.ticket, with: decision)
            reportFinished(probe, outcome)
        } else {
            decisions[id] = Decision(
                outcome: outcome,
                decidedAtWall: scheduler.wallClockSeconds,
                expiresAt: scheduler.now
            )
            checker.cache.abandon(probe.ticket, with: decision)
        }
    }

    private func attempt(_ id: ModelID) {
        guard var probe = probes[id] else { return }
        let now = scheduler.now
        if let health = checker.health {
            if case .refuse = health.admit(probe.origin, now: now) {
                active -= 1
                probe.retryTimer = nil
                probes[id] = probe
                refuse(id)
                if waiting.isEmpty { return finish() }
                return pump()
            }
            if health.standing(of: probe.origin, now: now) != .answering {
                probe.holdsOrigin = true
                probingOrigins.insert(probe.origin)
            }
        }
        probe.attempts += 1
        probe.retryTimer = nil
        probe.awaitingAnswer = true
        probe.attemptStartedAt = now
        if probe.startedAt == nil { probe.startedAt = now }
        probes[id] = probe
        stats.probesSent += 1
        let number = probe.attempts
        // SPEC 3.2: no attempt outlives the check's deadline.
        let cancellation = checker.transport.send(
            probe.request,
            maxBodyBytes: settings.maxProbeBodyBytes,
            timeout: deadline.since(now)
        ) { [self] response in
            self.answered(id, attempt: number, response)
        }
        // A transport may answer before `send` returns; keep the handle only while the attempt is out.
        if probes[id]?.attempts == number, probes[id]?.awaitingAnswer == true {
            probes[id]?.cancellation = cancellation
        }
    }

    private func answered(_ id: ModelID, attempt number: Int, _ response: ProbeResponse) {
        guard var probe = probes[id], probe.attempts == number, probe.awaitingAnswer else { return }
        probe.awaitingAnswer = false
        probe.cancellation = nil
        if probe.holdsOrigin {
            probe.holdsOrigin = false
            releaseOrigin(probe.origin)
        }
        probes[id] = probe
        let classification = ProbeClassifier.classify(response)
        checker.observer?.probeAttempted(
            model: id,
            kind: probe.candidate.model.listedKind,
            attempt: number,
            classification: classification,
            latency: scheduler.now.since(probe.attemptStartedAt ?? scheduler.now)
        )
        switch classification {
        case .granted(let served, let via405):
            decide(id, .granted(served: served, via405: via405))
        case .denied(let status):
            decide(id, .denied(status: status))
        case .retryable(let reason):
            // SPEC 3.2: at most 4 attempts, and none that could not start before the deadline.
            // SPEC 3.2: no retry to an origin the failure marked down.
            guard let delay = settings.retry.delay(afterAttempt: number, random: checker.random()),
                scheduler.now + delay < deadline,
                checker.health?.standing(of: probe.origin, now: scheduler.now).isUp ?? true
            else { return decide(id, .unavailable(reason: reason)) }
            probes[id]?.retryTimer = scheduler.schedule(after: delay) { [self] in self.attempt(id) }
            // Probes deferred behind this attempt's origin may use the other slots meanwhile.
            pump()
        }
    }

    /// Stores a probe's decision in the cache (releasing its waiters) and in this check's result.
    private func decide(_ id: ModelID, _ outcome: Decision.Outcome) {
        guard let probe = probes.removeValue(forKey: id) else { return }
        let decision = settings.lifetimes.decision(outcome, at: scheduler)
        active -= 1
        record(id, decision)
        waiting.remove(id)
        checker.cache.complete(probe.ticket, with: decision)
        reportFinished(probe, outcome)
        if waiting.isEmpty { return finish() }
        pump()
    }

    /// A decision from another check's probe (single flight), already on this loop.
    private func delivered(_ id: ModelID, _ decision: Decision) {
        guard completion != nil, waiting.remove(id) != nil else { return }
        record(id, decision)
        if waiting.isEmpty { finish() }
    }

    private func record(_ id: ModelID, _ decision: Decision) {
        decisions[id] = decision
        oldestWall = min(oldestWall ?? decision.decidedAtWall, decision.decidedAtWall)
    }

    /// SPEC 3.2: what is still pending counts as unavailable. Own probes are abandoned and their
    /// tickets completed (cached as unavailable) so coalesced waiters on other loops are released.
    private func deadlineReached() {
        deadlineTimer = nil
        guard completion != nil else { return }
        // Clear the state first: completing tickets calls out, and nothing may find it half-done.
        let abandoned = probes
        probes.removeAll()
        queued.removeAll()
        queueHead = 0
        ready.removeAll()
        readyHead = 0
        deferred.removeAll()
        probingOrigins.removeAll()
        active = 0
        let pending = waiting
        waiting.removeAll()

        let reason = "probe deadline"
        let cached = settings.lifetimes.decision(.unavailable(reason: reason), at: scheduler)
        for (id, probe) in abandoned {
            if probe.awaitingAnswer {
                probe.cancellation?.cancel()
                // SPEC 3.2: no answer before the deadline (a backend that accepts and never answers).
                checker.health?.unanswered(
                    probe.origin,
                    sentAt: probe.attemptStartedAt ?? scheduler.now,
                    now: scheduler.now
                )
                checker.observer?.probeAttempted(
                    model: id,
                    kind: probe.candidate.model.listedKind,
                    attempt: probe.attempts,
                    classification: nil,
                    latency: scheduler.now.since(probe.attemptStartedAt ?? scheduler.now)
                )
            }
            probe.retryTimer?.cancel()
            record(id, cached)
        }
        // Coalesced waits: unavailable for this response only; their prober decides the entry.
        let forThisResponse = Decision(
            outcome: .unavailable(reason: reason),
            decidedAtWall: scheduler.wallClockSeconds,
            expiresAt: scheduler.now
        )
        for id in pending where decisions[id] == nil { decisions[id] = forThisResponse }
        for probe in abandoned.values {
            if probe.attempts > 0 {
                // Pending at the deadline: a real "unavailable", kept for its lifetime (SPEC 3.2, 4).
                checker.cache.complete(probe.ticket, with: cached)
                reportFinished(probe, cached.outcome)
            } else {
                // Never sent (queued behind the concurrency limit): nothing learned, nothing stored.
                checker.cache.abandon(probe.ticket, with: cached)
            }
        }
        finish()
    }

    private func reportFinished(_ probe: Probe, _ outcome: Decision.Outcome) {
        checker.observer?.probeFinished(
            model: probe.candidate.model.id,
            kind: probe.candidate.model.listedKind,
            outcome: outcome,
            attempts: probe.attempts,
            latency: scheduler.now.since(probe.startedAt ?? scheduler.now)
        )
    }

    private func finish() {
        guard let completion else { return }
        self.completion = nil
        deadlineTimer?.cancel()
        deadlineTimer = nil
        completion(AccessCheckResult(decisions: decisions, oldestDecisionWall: oldestWall, stats: stats))
    }
}
