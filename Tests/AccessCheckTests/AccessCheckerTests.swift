import AccessCheck
import Routing
import Testing

@Suite struct AccessCheckerTests {
    @Test func grantedDeniedAndProbelessKindsInOneCheck() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.script = [
            Fixtures.path("a"): [Fixtures.listing(["a-1", "a-2"])],
            Fixtures.path("b"): [.http(status: 403, body: [])],
            Fixtures.path("c"): [.http(status: 405, body: [])],
        ]
        let candidates = [
            Fixtures.candidate("a"), Fixtures.candidate("b"), Fixtures.candidate("c"),
            Fixtures.candidate("ext", kind: "ExternalModel", probe: .none),
            Fixtures.candidate("ext-pending", kind: "ExternalModel", phase: "Pending", probe: .none),
        ]
        let box = Fixtures.run(Fixtures.checker(transport), scheduler, candidates)
        #expect(box.results.isEmpty)
        scheduler.advance(by: .milliseconds(10))
        let result = try #require(box.result)
        #expect(box.results.count == 1)
        #expect(
            box.outcome("a")
                == .granted(
                    served: [
                        ServedModel(id: "a-1", created: 1_700_000_000), ServedModel(id: "a-2", created: 1_700_000_000),
                    ],
                    via405: false
                )
        )
        #expect(box.outcome("b") == .denied(status: 403))
        #expect(box.outcome("c") == .granted(served: [], via405: true))
        #expect(box.outcome("ext") == .granted(served: [], via405: false))
        #expect(box.outcome("ext-pending") == .denied(status: nil))
        #expect(result.decisions.count == 5)
        #expect(transport.sentPaths().sorted() == ["a", "b", "c"].map(Fixtures.path))
        #expect(result.stats == AccessCheckStats(probesSent: 3, cacheHits: 0, cacheMisses: 3, coalesced: 0))
    }

    @Test func probelessKindsAreDecidedWithoutContactAndNotCached() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        let cache = DecisionCache()
        let candidates = [
            Fixtures.candidate("ext", kind: "ExternalModel", probe: .none),
            Fixtures.candidate("ext-failed", kind: "ExternalModel", phase: "Failed", probe: .none),
        ]
        let box = Fixtures.run(Fixtures.checker(transport, cache: cache), scheduler, candidates)
        // Nothing to wait for: the completion ran before `check` returned.
        #expect(box.results.count == 1)
        #expect(box.outcome("ext")?.name == "granted")
        #expect(box.outcome("ext-failed")?.name == "denied")
        #expect(box.result?.oldestDecisionWall == nil)
        #expect(transport.sent.isEmpty)
        #expect(cache.statistics == CacheStatistics())
        #expect(scheduler.pendingTimers == 0)
    }

    @Test func everyProbeCarriesTheBuiltRequestAndTheBodyLimit() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        let caller = Fixtures.caller("Bearer tok", subscription: "gold")
        _ = Fixtures.run(Fixtures.checker(transport), scheduler, [Fixtures.candidate("a")], caller: caller)
        let sent = try #require(transport.sent.first)
        #expect(
            sent.request == ProbeRequestBuilder(version: "test").request(for: Fixtures.candidate("a"), caller: caller)
        )
        #expect(sent.maxBodyBytes == 4 * 1024 * 1024)
        #expect(sent.timeout == .seconds(15))
    }

    @Test(arguments: [
        // jitter 0: 100, 200, 400 ms waits after answers that take no time.
        (0.0, [0.0, 100, 300, 700]),
        // jitter just under 10 %: 110, 220, 440 ms.
        (0.999_999, [0.0, 110, 330, 770]),
        (0.5, [0.0, 105, 315, 735]),
    ])
    func retriesFollowTheScheduleThenGiveUp(random: Double, expected: [Double]) throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .zero
        transport.script = [Fixtures.path("a"): [.http(status: 503, body: [])]]
        let start = scheduler.now
        let box = Fixtures.run(
            Fixtures.checker(transport, random: { random }),
            scheduler,
            [Fixtures.candidate("a")]
        )
        scheduler.advance(by: .seconds(2))
        #expect(transport.sendTimes(since: start).map { $0.rounded() } == expected)
        #expect(box.outcome("a") == .unavailable(reason: "status 503"))
        #expect(box.deliveredAt.map { $0.since(start).milliseconds.rounded() } == [expected.last!])
        #expect(box.result?.probesSent == 4)
    }

    @Test func eachAttemptMayTakeOnlyWhatRemainsUntilTheDeadline() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .zero
        transport.script = [Fixtures.path("a"): [.failed(reason: "connection refused")]]
        _ = Fixtures.run(Fixtures.checker(transport, deadline: .seconds(2)), scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(3))
        #expect(
            transport.sent.map(\.timeout) == [
                .seconds(2), .milliseconds(1_900), .milliseconds(1_700), .milliseconds(1_300),
            ]
        )
    }

    @Test(arguments: [
        (
            ProbeResponse.http(status: 429, body: []),
            ProbeResponse.http(status: 200, body: Array(#"{"data":[{"id":"x"}]}"#.utf8))
        ),
        (.failed(reason: "reset"), .http(status: 405, body: [])),
        (.bodyTooLarge(status: 200), .http(status: 401, body: [])),
        (.http(status: 302, body: []), .http(status: 200, body: Array(#"{"data":null}"#.utf8))),
    ])
    func aRetryableAnswerIsFollowedByTheNextAttempt(first: ProbeResponse, second: ProbeResponse) throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.script = [Fixtures.path("a"): [first, second]]
        let box = Fixtures.run(Fixtures.checker(transport), scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(1))
        let expected: Decision.Outcome =
            switch ProbeClassifier.classify(second) {
            case .granted(let served, let via405): .granted(served: served, via405: via405)
            case .denied(let status): .denied(status: status)
            case .retryable(let reason): .unavailable(reason: reason)
            }
        #expect(box.outcome("a") == expected)
        #expect(transport.sent.count == 2)
        #expect(box.results.count == 1)
    }

    @Test func aTransportAnsweringInlineIsHandled() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = nil
        transport.script = [
            Fixtures.path("a"): [Fixtures.listing(["a"])],
            Fixtures.path("b"): [.http(status: 401, body: [])],
            Fixtures.path("c"): [.http(status: 503, body: []), Fixtures.listing(["c"])],
        ]
        let candidates = ["a", "b", "c"].map { Fixtures.candidate($0) }
        let box = Fixtures.run(Fixtures.checker(transport, concurrency: 1), scheduler, candidates)
        #expect(box.results.isEmpty)
        scheduler.advance(by: .milliseconds(100))
        #expect(box.results.count == 1)
        #expect(box.outcome("a")?.name == "granted")
        #expect(box.outcome("b") == .denied(status: 401))
        #expect(box.outcome("c")?.name == "granted")
        #expect(transport.sent.count == 4)
        #expect(scheduler.pendingTimers == 0)
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
        #expect(result.decisions.values.allSatisfy { $0.isGranted })
        #expect(transport.maxInFlight == 10)
        #expect(transport.sent.count == 50)
        let waves = Dictionary(grouping: transport.sendTimes(since: start), by: { $0 }).mapValues(\.count)
        #expect(waves == [0: 10, 200: 10, 400: 10, 600: 10, 800: 10])
        // Candidate order is kept: the first wave is the first ten.
        #expect(transport.sentPaths().prefix(10).elementsEqual((1...10).map { Fixtures.path("m\($0)") }))
        #expect(box.deliveredAt == [start + .milliseconds(1_000)])
    }

    @Test(arguments: [1, 3, 10])
    func aProbeWaitingToRetryKeepsItsSlot(concurrency: Int) {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .milliseconds(10)
        transport.script = [Fixtures.path("m1"): [.http(status: 500, body: []), Fixtures.listing(["m1"])]]
        let candidates = (1...12).map { Fixtures.candidate("m\($0)") }
        let box = Fixtures.run(Fixtures.checker(transport, concurrency: concurrency), scheduler, candidates)
        scheduler.advance(by: .seconds(2))
        #expect(transport.maxInFlight <= concurrency)
        #expect(box.result?.decisions.values.allSatisfy { $0.isGranted } == true)
        #expect(transport.sent.count == 13)
    }

    @Test(arguments: [
        (Fixtures.listing(["a"]), 60, 10),
        (ProbeResponse.http(status: 405, body: []), 60, 10),
        (ProbeResponse.http(status: 401, body: []), 10, 10),
        (ProbeResponse.http(status: 404, body: []), 10, 10),
        // Unavailable after four attempts of 10 ms: decided at 40 + 700 ms, kept 2 s from then.
        (ProbeResponse.failed(reason: "down"), 2, 740),
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
        transport.script = [Fixtures.path("a"): [response]]
        let checker = Fixtures.checker(transport)
        let start = scheduler.now
        let box = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(1))
        let decision = try #require(box.result?.decisions.values.first)
        #expect(decision.expiresAt == start + .milliseconds(decidedAfterMs) + .seconds(lifetimeSeconds))
        #expect(
            decision.decidedAtWall == scheduler.wallOffset + Double((start + .milliseconds(decidedAfterMs)).nanoseconds)
                / 1e9
        )
        let probes = transport.sent.count

        scheduler.advance(by: decision.expiresAt.since(scheduler.now) - .milliseconds(1))
        let cached = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(cached.results.count == 1)
        #expect(cached.result?.decisions.values.first == decision)
        #expect(cached.result?.stats.cacheHits == 1)
        #expect(transport.sent.count == probes)
        scheduler.advance(by: .milliseconds(1))
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(transport.sent.count == probes + 1)
    }

    @Test func lifetimesAreConfigurable() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .zero
        let lifetimes = DecisionLifetimes(granted: .seconds(5), denied: .seconds(1), unavailable: .milliseconds(500))
        let start = scheduler.now
        let box = Fixtures.run(
            Fixtures.checker(transport, lifetimes: lifetimes),
            scheduler,
            [Fixtures.candidate("a")]
        )
        scheduler.runPending()
        scheduler.advance(by: .zero)
        #expect(box.result?.decisions.values.first?.expiresAt == start + .seconds(5))
        #expect(lifetimes.lifetime(of: .denied(status: 403)) == .seconds(1))
        #expect(lifetimes.lifetime(of: .unavailable(reason: "x")) == .milliseconds(500))
    }

    @Test func bypassCacheProbesAgainAndStoresTheNewAnswer() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.script = [Fixtures.path("a"): [Fixtures.listing(["a"]), .http(status: 403, body: [])]]
        let checker = Fixtures.checker(transport)
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(1))
        let warm = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(warm.outcome("a")?.name == "granted")
        #expect(transport.sent.count == 1)
        let bypass = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")], bypassCache: true)
        scheduler.advance(by: .seconds(1))
        #expect(bypass.outcome("a") == .denied(status: 403))
        #expect(transport.sent.count == 2)
        let after = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(after.outcome("a") == .denied(status: 403))
    }

    @Test func callersAndSubscriptionsHaveTheirOwnDecisions() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        let checker = Fixtures.checker(transport)
        let callers = [
            Fixtures.caller("Bearer alice"), Fixtures.caller("  Bearer alice "),
            Fixtures.caller("Bearer alice", subscription: ""), Fixtures.caller("Bearer bob"),
            Fixtures.caller("Bearer alice", subscription: "gold"),
        ]
        var sent: [Int] = []
        for caller in callers {
            _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")], caller: caller)
            scheduler.advance(by: .seconds(1))
            sent.append(transport.sent.count)
        }
        #expect(sent == [1, 1, 1, 2, 3])
    }

    @Test func aModelListedTwiceIsCheckedOnce() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        let box = Fixtures.run(
            Fixtures.checker(transport),
            scheduler,
            [Fixtures.candidate("a"), Fixtures.candidate("a")]
        )
        scheduler.advance(by: .seconds(1))
        #expect(transport.sent.count == 1)
        #expect(box.result?.decisions.count == 1)
        #expect(box.result?.stats == AccessCheckStats(probesSent: 1, cacheMisses: 1))
    }

    @Test func anEvictionDuringTheProbeIsNotOverwrittenByItsAnswer() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        let cache = DecisionCache()
        let checker = Fixtures.checker(transport, cache: cache)
        let box = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        cache.evict(Fixtures.key(Fixtures.candidate("a")))
        scheduler.advance(by: .seconds(1))
        #expect(box.outcome("a")?.name == "granted")
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(transport.sent.count == 2)
    }

    @Test func oldestDecisionTimeIsReported() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        let checker = Fixtures.checker(transport)
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .seconds(5))
        let firstDecision = scheduler.wallClockSeconds - 5 + 0.01
        let box = Fixtures.run(
            checker,
            scheduler,
            [
                Fixtures.candidate("a"), Fixtures.candidate("b"),
                Fixtures.candidate("x", kind: "ExternalModel", probe: .none),
            ]
        )
        scheduler.advance(by: .seconds(1))
        let oldest = try #require(box.result?.oldestDecisionWall)
        #expect(abs(oldest - firstDecision) < 0.000_001)
    }

    @Test func observerHearsEveryAttemptAndEveryProbe() {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.script = [Fixtures.path("a"): [.http(status: 429, body: []), Fixtures.listing(["a"])]]
        let observer = RecordingObserver()
        _ = Fixtures.run(
            Fixtures.checker(transport, observer: observer),
            scheduler,
            [Fixtures.candidate("a"), Fixtures.candidate("ext", kind: "ExternalModel", probe: .none)]
        )
        scheduler.advance(by: .seconds(1))
        #expect(
            observer.attempts == [
                .init(
                    model: "a",
                    kind: "LLMInferenceService",
                    attempt: 1,
                    classification: .retryable(reason: "status 429"),
                    latency: .milliseconds(10)
                ),
                .init(
                    model: "a",
                    kind: "LLMInferenceService",
                    attempt: 2,
                    classification: .granted(served: [ServedModel(id: "a", created: 1_700_000_000)], via405: false),
                    latency: .milliseconds(10)
                ),
            ]
        )
        #expect(observer.finishes == [.init(model: "a", outcome: "granted", attempts: 2, latency: .milliseconds(120))])
    }

    @Test func settingsUpdatesApplyToChecksStartedAfterwards() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.latency = .seconds(5)
        let checker = Fixtures.checker(transport)
        let before = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        checker.update(settings: Fixtures.settings(deadline: .seconds(1), version: "2.0"))
        #expect(checker.settings.deadline == .seconds(1))
        let after = Fixtures.run(checker, scheduler, [Fixtures.candidate("b")])
        #expect(transport.sent.last?.request.headers.last == HTTPHeader("User-Agent", "maas-proxy/2.0"))
        #expect(transport.sent.first?.request.headers.last == HTTPHeader("User-Agent", "maas-proxy/test"))
        scheduler.advance(by: .seconds(1))
        #expect(after.isUnavailable("b"))
        #expect(before.results.isEmpty)
        scheduler.advance(by: .seconds(4))
        #expect(before.outcome("a")?.name == "granted")
    }

    @Test(arguments: [
        (Duration.zero, Duration.seconds(1)), (.milliseconds(200), .seconds(1)), (.seconds(3), .seconds(3)),
    ])
    func theDeadlineIsAtLeastOneSecond(configured: Duration, effective: Duration) {
        #expect(Fixtures.settings(deadline: configured).deadline == effective)
        #expect(Fixtures.settings(concurrency: 0).concurrency == 1)
    }

    @Test func noCandidatesCompletesAtOnce() {
        let scheduler = ManualScheduler()
        let box = Fixtures.run(Fixtures.checker(FakeTransport(scheduler: scheduler)), scheduler, [])
        #expect(box.results.count == 1)
        #expect(box.result?.decisions.isEmpty == true)
        #expect(box.result?.oldestDecisionWall == nil)
        #expect(scheduler.pendingTimers == 0)
    }
}
