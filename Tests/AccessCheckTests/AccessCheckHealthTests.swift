import AccessCheck
import Routing
import Testing

/// Access checks over the shared backend-health registry (SPEC 3.2): down origins cost nothing,
/// live origins are probed first, a dead origin holds one slot, and nothing is retried into it.
@Suite struct AccessCheckHealthTests {
    struct Setup {
        let scheduler = ManualScheduler()
        let transport: FakeTransport
        let health: OriginHealth
        let cache = DecisionCache()
        let checker: AccessChecker

        init(deadline: Duration = .seconds(15), concurrency: Int = 10) {
            transport = FakeTransport(scheduler: scheduler)
            health = OriginHealth(random: { 0 })
            checker = AccessChecker(
                cache: cache,
                transport: HealthReportingTransport(transport, health: health),
                digest: FakeDigest(),
                settings: Fixtures.settings(deadline: deadline, concurrency: concurrency),
                random: { 0 },
                health: health
            )
        }

        func origin(port: Int) -> BackendOrigin { BackendOrigin(scheme: "http", host: "127.0.0.1", port: port) }

        func markDown(port: Int) {
            health.unreachable(origin(port: port), sentAt: scheduler.now, now: scheduler.now, reason: "refused")
        }

        func run(_ candidates: [Candidate]) -> ResultBox { Fixtures.run(checker, scheduler, candidates) }
    }

    @Test func aMissWhoseOriginIsDownIsUnavailableAtOnceWithoutTrafficAndIsNotCached() throws {
        let setup = Setup()
        setup.markDown(port: 9001)
        let box = setup.run([Fixtures.candidate("dead", port: 9001), Fixtures.candidate("live", port: 8000)])
        // The down one is decided before any probe is sent; the live one is probed.
        #expect(setup.transport.sentPaths() == [Fixtures.path("live")])
        setup.scheduler.advance(by: .milliseconds(10))
        let result = try #require(box.result)
        #expect(box.outcome("dead") == .unavailable(reason: "backend origin down"))
        #expect(box.outcome("live")?.name == "granted")
        #expect(result.stats == AccessCheckStats(probesSent: 1, cacheMisses: 2, refusedDown: 1))
        #expect(setup.cache.statistics.size == 1)
        #expect(setup.cache.statistics.probing == 0)
    }

    @Test func everyCandidateDownAnswersBeforeCheckReturns() throws {
        let setup = Setup()
        setup.markDown(port: 9001)
        setup.markDown(port: 9002)
        let box = setup.run([Fixtures.candidate("a", port: 9001), Fixtures.candidate("b", port: 9002)])
        #expect(box.results.count == 1)
        #expect(box.isUnavailable("a") && box.isUnavailable("b"))
        #expect(setup.transport.sent.isEmpty)
        #expect(setup.scheduler.pendingTimers == 0)
    }

    @Test func probesToOriginsThatAreUpStartBeforeThoseDueATrial() throws {
        let setup = Setup(concurrency: 1)
        setup.markDown(port: 9001)
        setup.scheduler.advance(by: .seconds(1))
        setup.health.answered(setup.origin(port: 8001), now: setup.scheduler.now)
        let box = setup.run([
            Fixtures.candidate("trial", port: 9001), Fixtures.candidate("unknown", port: 8000),
            Fixtures.candidate("answering", port: 8001),
        ])
        setup.scheduler.advance(by: .seconds(1))
        #expect(setup.transport.sentPaths() == ["unknown", "answering", "trial"].map(Fixtures.path))
        #expect(box.outcome("trial")?.name == "granted")
        // The trial answered: the origin is up again.
        #expect(setup.health.standing(of: setup.origin(port: 9001), now: setup.scheduler.now) == .answering)
    }

    @Test func aDeadOriginHoldsOneSlotAndIsMarkedDownAtTheDeadline() throws {
        let setup = Setup(deadline: .seconds(2), concurrency: 3)
        setup.transport.latencyByPath = Dictionary(
            uniqueKeysWithValues: (1...6).map { (Fixtures.path("hung\($0)"), Duration.seconds(60)) }
        )
        let hung = (1...6).map { Fixtures.candidate("hung\($0)", port: 9100) }
        let live = (1...4).map { Fixtures.candidate("live\($0)", port: 8000 + $0) }
        let start = setup.scheduler.now
        let box = setup.run(hung + live)
        // One attempt to the silent origin, and the three live origins use the other slots.
        setup.scheduler.advance(by: .milliseconds(100))
        #expect(setup.transport.sentPaths() == ["hung1", "live1", "live2", "live3", "live4"].map(Fixtures.path))
        setup.scheduler.advance(by: .seconds(2))
        #expect(box.deliveredAt == [start + .seconds(2)])
        #expect((1...4).allSatisfy { box.outcome("live\($0)")?.name == "granted" })
        #expect((1...6).allSatisfy { box.isUnavailable("hung\($0)") })
        #expect(setup.health.standing(of: setup.origin(port: 9100), now: setup.scheduler.now) == .down)

        // The next check pays nothing for it: no traffic, an answer before `check` returns.
        setup.transport.latencyByPath = [:]
        let second = setup.run(hung)
        #expect(second.results.count == 1)
        // hung1's attempt was pending at the deadline: cached as unavailable; the rest refused.
        #expect(second.result?.stats == AccessCheckStats(cacheHits: 1, cacheMisses: 5, refusedDown: 5))
        #expect((1...6).allSatisfy { second.isUnavailable("hung\($0)") })
        #expect(setup.transport.sent.count == 5)
    }

    @Test func probesDeferredBehindAnOriginGoTogetherOnceItAnswers() {
        let setup = Setup()
        let candidates = (1...4).map { Fixtures.candidate("m\($0)", port: 8000) }
        let start = setup.scheduler.now
        let box = setup.run(candidates)
        setup.scheduler.advance(by: .milliseconds(5))
        #expect(setup.transport.sent.count == 1)
        setup.scheduler.advance(by: .milliseconds(100))
        // m1 answered at 10 ms; the three others went at once, in parallel.
        #expect(setup.transport.sendTimes(since: start) == [0, 10, 10, 10])
        #expect(box.deliveredAt == [start + .milliseconds(20)])
        #expect((1...4).allSatisfy { box.outcome("m\($0)")?.name == "granted" })
    }

    @Test func probesDeferredBehindAnOriginThatFailsAreRefusedAtOnce() throws {
        let setup = Setup()
        setup.transport.script = [Fixtures.path("m1"): [.failed(reason: "connection refused")]]
        let start = setup.scheduler.now
        let box = setup.run((1...3).map { Fixtures.candidate("m\($0)", port: 9200) })
        setup.scheduler.advance(by: .seconds(1))
        // One connect failure, no retry, and the other two are refused without traffic.
        #expect(setup.transport.sentPaths() == [Fixtures.path("m1")])
        #expect(box.deliveredAt == [start + .milliseconds(10)])
        #expect(box.outcome("m1") == .unavailable(reason: "connection refused"))
        #expect(box.outcome("m2") == .unavailable(reason: "backend origin down"))
        #expect(box.result?.stats.refusedDown == 2)
        // m1's real failure is cached for its lifetime; the refusals are not.
        #expect(setup.cache.statistics.size == 1)
    }

    @Test func aFailureThatLeavesTheOriginUpIsStillRetried() throws {
        let setup = Setup()
        setup.transport.script = [Fixtures.path("a"): [.http(status: 503, body: []), Fixtures.listing(["a"])]]
        let box = setup.run([Fixtures.candidate("a", port: 8000)])
        setup.scheduler.advance(by: .seconds(1))
        #expect(setup.transport.sent.count == 2)
        #expect(box.outcome("a")?.name == "granted")
    }

    @Test func aRetryWhoseOriginWentDownMeanwhileIsRefused() throws {
        let setup = Setup()
        setup.transport.script = [Fixtures.path("a"): [.http(status: 503, body: [])]]
        let start = setup.scheduler.now
        let box = setup.run([Fixtures.candidate("a", port: 8000)])
        setup.scheduler.advance(by: .milliseconds(50))
        // Another caller's request finds the origin unreachable before the retry at 110 ms.
        setup.markDown(port: 8000)
        setup.scheduler.advance(by: .seconds(1))
        #expect(setup.transport.sent.count == 1)
        #expect(box.deliveredAt == [start + .milliseconds(110)])
        #expect(box.outcome("a") == .unavailable(reason: "backend origin down"))
        // An attempt was sent, so this is a real decision: cached for the unavailable lifetime.
        #expect(setup.cache.statistics.size == 1)
    }

    @Test func oneTrialAtATimeAcrossChecks() throws {
        let setup = Setup()
        setup.markDown(port: 9001)
        setup.scheduler.advance(by: .seconds(1))
        setup.transport.latency = .milliseconds(200)
        let first = Fixtures.run(setup.checker, setup.scheduler, [Fixtures.candidate("a", port: 9001)])
        let second = Fixtures.run(
            setup.checker,
            setup.scheduler,
            [Fixtures.candidate("a", port: 9001)],
            caller: Fixtures.caller("Bearer bob")
        )
        // The first check holds the trial; the second caller is refused at once.
        #expect(second.results.count == 1)
        #expect(second.isUnavailable("a"))
        setup.scheduler.advance(by: .milliseconds(200))
        #expect(first.outcome("a")?.name == "granted")
        #expect(setup.transport.sent.count == 1)
        let third = Fixtures.run(
            setup.checker,
            setup.scheduler,
            [Fixtures.candidate("a", port: 9001)],
            caller: Fixtures.caller("Bearer carol")
        )
        setup.scheduler.advance(by: .milliseconds(200))
        #expect(third.outcome("a")?.name == "granted")
        #expect(setup.transport.sent.count == 2)
    }

    @Test func aProbeAnsweredBeforeTheDeadlineElsewhereKeepsASharedGatewayUp() throws {
        // Two models behind one gateway: one path hangs, the other answers. The hung probe at the
        // deadline does not take the gateway down, because the gateway answered since it was sent.
        let setup = Setup(deadline: .seconds(1))
        setup.transport.latencyByPath = [Fixtures.path("slow"): .seconds(60)]
        setup.health.answered(setup.origin(port: 8000), now: setup.scheduler.now)
        let box = setup.run([Fixtures.candidate("slow", port: 8000), Fixtures.candidate("fast", port: 8000)])
        setup.scheduler.advance(by: .seconds(1))
        #expect(box.isUnavailable("slow"))
        #expect(box.outcome("fast")?.name == "granted")
        #expect(setup.health.standing(of: setup.origin(port: 8000), now: setup.scheduler.now) == .answering)
    }

    @Test func withoutARegistryEveryOriginIsUp() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .zero
        transport.script = [Fixtures.path("a"): [.failed(reason: "connection refused")]]
        let box = Fixtures.run(Fixtures.checker(transport), scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(2))
        #expect(transport.sent.count == 4)
        #expect(box.outcome("a") == .unavailable(reason: "connection refused"))
    }
}
