import AccessCheck
import Routing
import Testing

@Suite struct AccessCheckerTests {
    @Test func grantedDeniedAndProbelessKindsInOneCheck() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.script = [
            "/llm/a/v1/models": [Fixtures.listing(["a-1", "a-2"])],
            "/llm/b/v1/models": [.http(status: 403, body: [])],
        ]
        let candidates = [
            Fixtures.candidate("a"), Fixtures.candidate("b"),
            Fixtures.candidate("ext", kind: "ExternalModel", probe: .none),
            Fixtures.candidate("ext-pending", kind: "ExternalModel", phase: "Pending", probe: .none),
        ]
        let box = Fixtures.run(Fixtures.checker(transport), scheduler, candidates)
        scheduler.advance(by: .milliseconds(10))
        let result = try #require(box.result)
        #expect(box.results.count == 1)
        #expect(result.decisions[ModelID(namespace: "ns", name: "a")]?.isGranted == true)
        #expect(result.decisions[ModelID(namespace: "ns", name: "b")]?.outcome == .denied(status: 403))
        #expect(result.decisions[ModelID(namespace: "ns", name: "ext")]?.isGranted == true)
        #expect(result.decisions[ModelID(namespace: "ns", name: "ext-pending")]?.isGranted == false)
        #expect(transport.sentPaths().sorted() == ["/llm/a/v1/models", "/llm/b/v1/models"])
    }

    @Test func retriesFollowTheScheduleThenGiveUp() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .zero
        transport.script = ["/llm/a/v1/models": [.http(status: 503, body: [])]]
        let start = scheduler.now
        let box = Fixtures.run(Fixtures.checker(transport), scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(2))
        let attempts = transport.sent.map { $0.at.since(start).milliseconds }
        #expect(attempts == [0, 100, 300, 700])
        let decision = try #require(box.result?.decisions[ModelID(namespace: "ns", name: "a")])
        guard case .unavailable = decision.outcome else {
            Issue.record("expected unavailable")
            return
        }
    }

    @Test func jitterStretchesEachWaitByAtMostTenPercent() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .zero
        transport.script = ["/llm/a/v1/models": [.failed(reason: "refused")]]
        let start = scheduler.now
        _ = Fixtures.run(Fixtures.checker(transport, random: { 0.999_999 }), scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(2))
        let attempts = transport.sent.map { ($0.at.since(start).milliseconds).rounded() }
        #expect(attempts == [0, 110, 330, 770])
    }

    @Test func retryThenSuccessIsGranted() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.script = ["/llm/a/v1/models": [.http(status: 429, body: []), Fixtures.listing(["a"])]]
        let box = Fixtures.run(Fixtures.checker(transport), scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(1))
        #expect(box.result?.decisions[ModelID(namespace: "ns", name: "a")]?.isGranted == true)
        #expect(transport.sent.count == 2)
    }

    @Test func theDeadlineAnswersWithWhatIsDecidedAndCountsTheRestUnavailable() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .seconds(5)
        transport.script = ["/llm/fast/v1/models": [Fixtures.listing(["fast"])]]
        let checker = Fixtures.checker(transport, deadline: .seconds(2))
        let box = Fixtures.run(checker, scheduler, [Fixtures.candidate("slow")])
        scheduler.advance(by: .milliseconds(1_999))
        #expect(box.result == nil)
        scheduler.advance(by: .milliseconds(1))
        let result = try #require(box.result)
        guard case .unavailable = result.decisions[ModelID(namespace: "ns", name: "slow")]?.outcome else {
            Issue.record("a probe pending at the deadline is unavailable")
            return
        }
        #expect(transport.sent.first?.timeout == .seconds(2))
        #expect(transport.cancelled == 1)
        scheduler.advance(by: .seconds(10))
        #expect(box.results.count == 1)
    }

    @Test func atMostTenProbesInFlightFiveWavesForFifty() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .milliseconds(200)
        let candidates = (1...50).map { Fixtures.candidate("m\($0)") }
        let start = scheduler.now
        let box = Fixtures.run(Fixtures.checker(transport), scheduler, candidates)
        #expect(transport.inFlight == 10)
        scheduler.advance(by: .seconds(2))
        let result = try #require(box.result)
        #expect(result.decisions.count == 50)
        #expect(transport.maxInFlight == 10)
        let waves = Set(transport.sent.map { $0.at.since(start).milliseconds })
        #expect(waves == [0, 200, 400, 600, 800])
    }

    @Test(arguments: [
        (Fixtures.listing(["a"]), 60, 0),
        (ProbeResponse.http(status: 401, body: []), 10, 0),
        // Unavailable after four attempts: decided at +700 ms, kept 2 s from then.
        (ProbeResponse.failed(reason: "down"), 2, 700),
    ])
    func decisionsLiveAsLongAsTheirOutcomeAllows(
        response: ProbeResponse,
        lifetimeSeconds: Int,
        decidedAfterMs: Int
    )
        throws
    {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .zero
        transport.script = ["/llm/a/v1/models": [response]]
        let checker = Fixtures.checker(transport)
        let start = scheduler.now
        let box = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(1))
        let decision = try #require(box.result?.decisions.values.first)
        #expect(decision.expiresAt == start + .milliseconds(decidedAfterMs) + .seconds(lifetimeSeconds))
        let probes = transport.sent.count

        scheduler.advance(by: decision.expiresAt.since(scheduler.now) - .milliseconds(1))
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(transport.sent.count == probes)
        scheduler.advance(by: .milliseconds(2))
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(transport.sent.count == probes + 1)
    }

    @Test func concurrentChecksOnTwoLoopsShareOneProbe() throws {
        let loopA = ManualScheduler()
        let loopB = ManualScheduler()
        let transport = FakeTransport(scheduler: loopA)
        transport.latency = .milliseconds(50)
        transport.script = ["/llm/a/v1/models": [Fixtures.listing(["a"])]]
        let cache = DecisionCache()
        let checkerA = Fixtures.checker(transport, cache: cache)
        let checkerB = Fixtures.checker(FakeTransport(scheduler: loopB), cache: cache)
        let first = Fixtures.run(checkerA, loopA, [Fixtures.candidate("a")])
        let second = Fixtures.run(checkerB, loopB, [Fixtures.candidate("a")])
        loopA.advance(by: .milliseconds(50))
        #expect(first.result?.decisions.values.first?.isGranted == true)
        #expect(second.result == nil)  // delivered through loop B's own queue
        loopB.runPending()
        let result = try #require(second.result)
        #expect(result.decisions.values.first?.isGranted == true)
        #expect(result.coalesced == 1)
        #expect(transport.sent.count == 1)
    }

    @Test func bypassCacheProbesAgain() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        let checker = Fixtures.checker(transport)
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(1))
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(1))
        #expect(transport.sent.count == 1)
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")], bypassCache: true)
        scheduler.advance(by: .seconds(1))
        #expect(transport.sent.count == 2)
    }

    @Test func oldestDecisionTimeIsReported() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        let checker = Fixtures.checker(transport)
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(5))
        let firstDecision = scheduler.wallClockSeconds - 5 + 0.01
        let box = Fixtures.run(checker, scheduler, [Fixtures.candidate("a"), Fixtures.candidate("b")])
        scheduler.advance(by: .seconds(1))
        let oldest = try #require(box.result?.oldestDecisionWall)
        #expect(abs(oldest - firstDecision) < 0.001)
    }

    @Test func noCandidatesCompletesAtOnce() {
        let scheduler = ManualScheduler()
        let box = Fixtures.run(Fixtures.checker(FakeTransport(scheduler: scheduler)), scheduler, [])
        #expect(box.results.count == 1)
        #expect(box.result?.oldestDecisionWall == nil)
    }
}
