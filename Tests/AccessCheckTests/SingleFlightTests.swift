import AccessCheck
import Routing
import Testing

/// Checks on different loops (workers) sharing one decision cache (SPEC 4: single flight).
@Suite struct SingleFlightTests {
    /// Two workers: each its own loop, transport and checker; one cache.
    struct Workers {
        let cache = DecisionCache()
        let loopA = ManualScheduler()
        let loopB = ManualScheduler()
        let transportA: FakeTransport
        let transportB: FakeTransport
        let checkerA: AccessChecker
        let checkerB: AccessChecker

        init(
            deadlineA: Duration = .seconds(15),
            deadlineB: Duration = .seconds(15),
            latency: Duration = .milliseconds(50)
        ) {
            transportA = FakeTransport(scheduler: loopA)
            transportB = FakeTransport(scheduler: loopB)
            transportA.latency = latency
            transportB.latency = latency
            checkerA = Fixtures.checker(transportA, cache: cache, deadline: deadlineA)
            checkerB = Fixtures.checker(transportB, cache: cache, deadline: deadlineB)
        }
    }

    @Test func concurrentChecksOnTwoLoopsShareOneProbe() throws {
        let workers = Workers()
        workers.transportA.script = [Fixtures.path("a"): [Fixtures.listing(["a"])]]
        let first = Fixtures.run(workers.checkerA, workers.loopA, [Fixtures.candidate("a")])
        let second = Fixtures.run(workers.checkerB, workers.loopB, [Fixtures.candidate("a")])
        workers.loopA.advance(by: .milliseconds(50))
        #expect(first.outcome("a")?.name == "granted")
        // Delivered through loop B's own queue, never on loop A's thread.
        #expect(second.results.isEmpty)
        #expect(workers.loopB.pendingWork == 1)
        workers.loopB.runPending()
        let result = try #require(second.result)
        #expect(result.decisions.values.first == first.result?.decisions.values.first)
        #expect(result.stats == AccessCheckStats(probesSent: 0, cacheHits: 0, cacheMisses: 0, coalesced: 1))
        #expect(workers.transportA.sent.count == 1)
        #expect(workers.transportB.sent.isEmpty)
        #expect(workers.loopB.pendingTimers == 0)
        #expect(workers.cache.statistics.coalesced == 1)
    }

    @Test func manyWaitersOnOneLoopEachGetTheDecisionOnce() {
        let workers = Workers()
        let prober = Fixtures.run(workers.checkerA, workers.loopA, [Fixtures.candidate("a")])
        let waiters = (0..<5).map { _ in Fixtures.run(workers.checkerB, workers.loopB, [Fixtures.candidate("a")]) }
        workers.loopA.advance(by: .milliseconds(50))
        workers.loopB.runPending()
        workers.loopB.advance(by: .seconds(20))
        #expect(prober.results.count == 1)
        #expect(waiters.allSatisfy { $0.results.count == 1 && $0.outcome("a")?.name == "granted" })
        #expect(workers.transportA.sent.count + workers.transportB.sent.count == 1)
    }

    @Test func bypassJoinsAProbeAlreadyInFlight() {
        let workers = Workers()
        let first = Fixtures.run(workers.checkerA, workers.loopA, [Fixtures.candidate("a")])
        let second = Fixtures.run(workers.checkerA, workers.loopA, [Fixtures.candidate("a")], bypassCache: true)
        workers.loopA.advance(by: .milliseconds(50))
        #expect(first.outcome("a")?.name == "granted")
        #expect(second.outcome("a")?.name == "granted")
        #expect(second.result?.coalesced == 1)
        #expect(workers.transportA.sent.count == 1)
    }

    @Test func coalescedWaitsTakeNoConcurrencySlot() {
        let workers = Workers(latency: .seconds(1))
        _ = Fixtures.run(workers.checkerB, workers.loopB, [Fixtures.candidate("x")])
        let checker = Fixtures.checker(workers.transportA, cache: workers.cache, concurrency: 1)
        let box = Fixtures.run(checker, workers.loopA, [Fixtures.candidate("x"), Fixtures.candidate("y")])
        #expect(workers.transportA.sentPaths() == [Fixtures.path("y")])
        workers.loopB.advance(by: .seconds(1))
        workers.loopA.advance(by: .seconds(1))
        #expect(box.result?.decisions.count == 2)
        #expect(box.result?.stats == AccessCheckStats(probesSent: 1, cacheMisses: 1, coalesced: 1))
    }

    @Test func waitersAreReleasedAtTheProbersDeadline() throws {
        let workers = Workers(deadlineA: .seconds(1), deadlineB: .seconds(15), latency: .seconds(5))
        let prober = Fixtures.run(workers.checkerA, workers.loopA, [Fixtures.candidate("a")])
        let waiter = Fixtures.run(workers.checkerB, workers.loopB, [Fixtures.candidate("a")])
        workers.loopA.advance(by: .seconds(1))
        #expect(prober.isUnavailable("a"))
        workers.loopB.runPending()
        // Long before its own 15 s deadline.
        #expect(waiter.results.count == 1)
        #expect(waiter.isUnavailable("a"))
        #expect(waiter.deliveredAt == [workers.loopB.now])
        #expect(workers.transportB.sent.isEmpty)
        #expect(workers.loopB.pendingTimers == 0)
    }

    @Test func aWaiterWhoseDeadlineComesFirstStopsWaitingButTheProbeGoesOn() {
        let workers = Workers(deadlineA: .seconds(15), deadlineB: .seconds(1), latency: .seconds(5))
        let prober = Fixtures.run(workers.checkerA, workers.loopA, [Fixtures.candidate("a")])
        let waiter = Fixtures.run(workers.checkerB, workers.loopB, [Fixtures.candidate("a")])
        workers.loopB.advance(by: .seconds(1))
        #expect(waiter.results.count == 1)
        #expect(waiter.isUnavailable("a"))
        workers.loopA.advance(by: .seconds(5))
        #expect(prober.outcome("a")?.name == "granted")
        workers.loopB.runPending()
        #expect(waiter.results.count == 1)
        // The late answer is cached for everyone.
        let later = Fixtures.run(workers.checkerB, workers.loopB, [Fixtures.candidate("a")])
        #expect(later.outcome("a")?.name == "granted")
        #expect(workers.transportB.sent.isEmpty)
    }
}
