import AccessCheck
import Routing
import Testing

@Suite struct AccessCheckDeadlineTests {
    @Test func theDeadlineAnswersWithWhatIsDecidedAndCountsTheRestUnavailable() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latencyByPath = [Fixtures.path("slow"): .seconds(5)]
        transport.script = [Fixtures.path("fast"): [Fixtures.listing(["fast"])]]
        let checker = Fixtures.checker(transport, deadline: .seconds(2))
        let start = scheduler.now
        let box = Fixtures.run(checker, scheduler, [Fixtures.candidate("slow"), Fixtures.candidate("fast")])
        scheduler.advance(by: .milliseconds(1_999))
        #expect(box.results.isEmpty)
        scheduler.advance(by: .milliseconds(1))
        let result = try #require(box.result)
        #expect(box.deliveredAt == [start + .seconds(2)])
        #expect(box.outcome("slow") == .unavailable(reason: "probe deadline"))
        #expect(box.outcome("fast")?.name == "granted")
        #expect(result.decisions.count == 2)
        #expect(transport.sent.map(\.timeout) == [.seconds(2), .seconds(2)])
        #expect(transport.cancelled == 1)
        #expect(transport.inFlight == 0)
        #expect(scheduler.pendingTimers == 0)
        scheduler.advance(by: .seconds(10))
        #expect(box.results.count == 1)
    }

    @Test func aProbePendingAtTheDeadlineIsCachedAsUnavailable() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .seconds(5)
        let checker = Fixtures.checker(transport, deadline: .seconds(1))
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(1))
        scheduler.advance(by: .milliseconds(1_999))
        let cached = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(cached.results.count == 1)
        #expect(cached.isUnavailable("a"))
        #expect(transport.sent.count == 1)
        scheduler.advance(by: .milliseconds(1))
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(transport.sent.count == 2)
    }

    @Test func probesStillQueuedAtTheDeadlineAreNotCached() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .seconds(5)
        let cache = DecisionCache()
        let checker = Fixtures.checker(transport, cache: cache, deadline: .seconds(1), concurrency: 1)
        let candidates = ["a", "b", "c"].map { Fixtures.candidate($0) }
        let first = Fixtures.run(checker, scheduler, candidates)
        scheduler.advance(by: .seconds(1))
        #expect(first.results.count == 1)
        #expect(["a", "b", "c"].allSatisfy { first.isUnavailable($0) })
        #expect(transport.sent.count == 1)
        #expect(cache.statistics.size == 1)
        #expect(cache.statistics.probing == 0)

        let second = Fixtures.run(checker, scheduler, candidates)
        #expect(transport.sentPaths() == ["a", "b"].map(Fixtures.path))
        scheduler.advance(by: .seconds(1))
        #expect(second.result?.stats == AccessCheckStats(probesSent: 1, cacheHits: 1, cacheMisses: 2, coalesced: 0))
    }

    @Test func retriesThatCannotStartBeforeTheDeadlineAreNotScheduled() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .milliseconds(400)
        transport.script = [Fixtures.path("a"): [.http(status: 503, body: [])]]
        let start = scheduler.now
        let box = Fixtures.run(Fixtures.checker(transport, deadline: .seconds(1)), scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(2))
        // 0 → answered at 400, retry at 500 → answered at 900; a third attempt at 1 100 is past the deadline.
        #expect(transport.sendTimes(since: start) == [0, 500])
        #expect(transport.sent.map(\.timeout) == [.seconds(1), .milliseconds(500)])
        #expect(box.deliveredAt == [start + .milliseconds(900)])
        #expect(box.outcome("a") == .unavailable(reason: "status 503"))
    }

    @Test func aRetryInFlightAtTheDeadlineIsCancelled() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .milliseconds(850)
        transport.script = [Fixtures.path("a"): [.http(status: 503, body: []), Fixtures.listing(["a"])]]
        let observer = RecordingObserver()
        let box = Fixtures.run(
            Fixtures.checker(transport, deadline: .seconds(1), observer: observer),
            scheduler,
            [Fixtures.candidate("a")]
        )
        // Answered at 850, retry due at 950 (< 1 s), sent, then the deadline cuts it off at 1 000.
        scheduler.advance(by: .seconds(1))
        #expect(box.isUnavailable("a"))
        #expect(transport.sent.count == 2)
        #expect(transport.cancelled == 1)
        #expect(scheduler.pendingTimers == 0)
        #expect(observer.attempts.map(\.classification) == [.retryable(reason: "status 503"), nil])
        #expect(observer.attempts.last?.latency == .milliseconds(50))
        #expect(observer.finishes == [.init(model: "a", outcome: "unavailable", attempts: 2, latency: .seconds(1))])
    }

    @Test func anAnswerArrivingAfterTheDeadlineIsIgnored() {
        let scheduler = ManualScheduler()
        let transport = UncancellableTransport(FakeTransport(scheduler: scheduler))
        transport.inner.latency = .seconds(2)
        let cache = DecisionCache()
        let checker = AccessChecker(
            cache: cache,
            transport: transport,
            digest: FakeDigest(),
            settings: Fixtures.settings(deadline: .seconds(1)),
            random: { 0 }
        )
        let box = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(3))
        #expect(box.results.count == 1)
        #expect(box.isUnavailable("a"))
        #expect(transport.inner.answered == 1)
        #expect(cache.statistics.staleCompletions == 0)
    }
}
