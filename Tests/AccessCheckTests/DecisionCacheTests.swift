import AccessCheck
import Dispatch
import Routing
import Testing

@Suite struct DecisionCacheTests {
    static func key(_ name: String, token: String = "Bearer a") -> DecisionKey {
        DecisionKey(
            credential: CredentialDigest(caller: Fixtures.caller(token), digest: FakeDigest()),
            model: ModelID(namespace: "ns", name: name),
            endpoint: "http://x/\(name)"
        )
    }

    static func decision(_ outcome: Decision.Outcome = .granted(served: [], via405: true), expires: UInt64) -> Decision
    {
        Decision(outcome: outcome, decidedAtWall: 0, expiresAt: MonotonicInstant(nanoseconds: expires))
    }

    static func at(_ nanoseconds: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: nanoseconds) }

    /// What a lookup answered, as a word (tests compare tables of them).
    static func lookup(
        _ cache: DecisionCache,
        _ name: String,
        at now: UInt64,
        bypass: Bool = false,
        waiter: @escaping DecisionCache.Waiter = { _ in }
    ) -> String {
        switch cache.lookup(Self.key(name), now: Self.at(now), bypassCache: bypass, waiter: waiter) {
        case .hit: "hit"
        case .coalesced: "coalesced"
        case .miss: "miss"
        }
    }

    /// Probes and stores `name` at once.
    static func store(_ cache: DecisionCache, _ name: String, expires: UInt64 = 1_000, at now: UInt64 = 0) {
        guard
            case .miss(let ticket) = cache.lookup(
                Self.key(name),
                now: Self.at(now),
                bypassCache: false,
                waiter: { _ in }
            )
        else {
            Issue.record("\(name) was expected to be missing")
            return
        }
        cache.complete(ticket, with: Self.decision(expires: expires))
    }

    @Test func missThenHitUntilExpiry() {
        let cache = DecisionCache()
        Self.store(cache, "a", expires: 100)
        #expect(Self.lookup(cache, "a", at: 99) == "hit")
        #expect(Self.lookup(cache, "a", at: 100) == "miss")
        #expect(cache.statistics.hits == 1)
        #expect(cache.statistics.misses == 2)
        #expect(cache.statistics.size == 0)
        #expect(cache.statistics.probing == 1)
    }

    @Test func singleFlightWaitersGetTheProbesDecisionOnce() {
        let cache = DecisionCache()
        let received = Counter()
        guard
            case .miss(let ticket) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in })
        else {
            Issue.record("expected a miss")
            return
        }
        for bypass in [false, true, false] {
            // no-cache still joins a probe in flight: its answer is newer than any cached one.
            #expect(Self.lookup(cache, "a", at: 1, bypass: bypass) { _ in received.add() } == "coalesced")
        }
        #expect(received.count == 0)
        cache.complete(ticket, with: Self.decision(expires: 100))
        #expect(received.count == 3)
        cache.complete(ticket, with: Self.decision(expires: 100))
        #expect(received.count == 3)
        #expect(cache.statistics.coalesced == 3)
        #expect(cache.statistics.staleCompletions == 1)
        #expect(Self.lookup(cache, "a", at: 2) == "hit")
    }

    @Test func bypassSkipsAFreshDecision() {
        let cache = DecisionCache()
        Self.store(cache, "a")
        #expect(Self.lookup(cache, "a", at: 1, bypass: true) == "miss")
        #expect(Self.lookup(cache, "a", at: 1) == "coalesced")
    }

    @Test func credentialsAndSubscriptionsAreSeparateKeys() {
        #expect(Self.key("a", token: "Bearer a") != Self.key("a", token: "Bearer b"))
        let plain = CredentialDigest(caller: Fixtures.caller("Bearer a"), digest: FakeDigest())
        let blank = CredentialDigest(caller: Fixtures.caller("Bearer a", subscription: " "), digest: FakeDigest())
        let gold = CredentialDigest(caller: Fixtures.caller("Bearer a", subscription: "gold"), digest: FakeDigest())
        let silver = CredentialDigest(caller: Fixtures.caller("Bearer a", subscription: "silver"), digest: FakeDigest())
        // A blank subscription is no subscription: the probe is the same, so is the key.
        #expect(plain == blank)
        #expect(Set([plain, gold, silver]).count == 3)
    }

    // Inserted a, b, c in this order (cache of 3), then the lookups listed, then d: who is gone?
    @Test(arguments: [
        ([], "a"),
        (["a"], "b"),
        (["a", "b"], "c"),
        (["c", "b", "a"], "c"),
        (["b", "a", "b"], "c"),
    ])
    func leastRecentlyUsedIsEvictedFirst(touched: [String], evicted: String) {
        let cache = DecisionCache(maxEntries: 3)
        for name in ["a", "b", "c"] { Self.store(cache, name) }
        for name in touched { #expect(Self.lookup(cache, name, at: 1) == "hit") }
        Self.store(cache, "d", at: 2)
        #expect(cache.statistics.size == 3)
        #expect(cache.statistics.evictions == 1)
        for name in ["a", "b", "c", "d"] {
            #expect(Self.lookup(cache, name, at: 3) == (name == evicted ? "miss" : "hit"), "\(name)")
        }
    }

    @Test func entriesBeingProbedAreNeverEvictedForSpace() {
        let cache = DecisionCache(maxEntries: 1)
        let received = Counter()
        guard
            case .miss(let ticket) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in })
        else { return }
        #expect(Self.lookup(cache, "a", at: 0) { _ in received.add() } == "coalesced")
        Self.store(cache, "b")
        Self.store(cache, "c")
        #expect(cache.statistics.size == 1)
        #expect(cache.statistics.probing == 1)
        #expect(Self.lookup(cache, "a", at: 1) { _ in received.add() } == "coalesced")
        cache.complete(ticket, with: Self.decision(expires: 1_000))
        #expect(received.count == 2)
        #expect(Self.lookup(cache, "a", at: 2) == "hit")
        #expect(Self.lookup(cache, "c", at: 2) == "miss")
    }

    @Test func evictForgetsADecisionAtOnce() {
        let cache = DecisionCache()
        Self.store(cache, "a")
        Self.store(cache, "b")
        cache.evict(Self.key("a"))
        cache.evict(Self.key("never-seen"))
        #expect(Self.lookup(cache, "a", at: 1) == "miss")
        #expect(Self.lookup(cache, "b", at: 1) == "hit")
        #expect(cache.statistics.invalidations == 1)
        #expect(cache.statistics.size == 1)
    }

    @Test func evictDuringAProbeStillReleasesItsWaitersButStoresNothing() {
        let cache = DecisionCache()
        let received = Counter()
        guard
            case .miss(let ticket) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in })
        else { return }
        #expect(Self.lookup(cache, "a", at: 0) { _ in received.add() } == "coalesced")
        cache.evict(Self.key("a"))
        // Still in flight: later lookups keep joining it rather than probing twice.
        #expect(Self.lookup(cache, "a", at: 1) { _ in received.add() } == "coalesced")
        cache.complete(ticket, with: Self.decision(expires: 1_000))
        #expect(received.count == 2)
        // Its answer may predate the revocation: the next request probes again.
        #expect(Self.lookup(cache, "a", at: 2) == "miss")
        #expect(cache.statistics.size == 0)
    }

    @Test func abandonReleasesTheWaitersAndLeavesTheKeyMissing() {
        let cache = DecisionCache()
        let received = Counter()
        guard
            case .miss(let ticket) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in })
        else { return }
        #expect(Self.lookup(cache, "a", at: 0) { _ in received.add() } == "coalesced")
        cache.abandon(ticket, with: Self.decision(.unavailable(reason: "probe deadline"), expires: 0))
        #expect(received.count == 1)
        #expect(Self.lookup(cache, "a", at: 1) == "miss")
    }

    @Test func aStaleTicketChangesNothing() {
        let cache = DecisionCache()
        let received = Counter()
        guard case .miss(let first) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in })
        else { return }
        #expect(Self.lookup(cache, "a", at: 0) { _ in received.add() } == "coalesced")
        cache.complete(first, with: Self.decision(.denied(status: 403), expires: 10))
        #expect(received.count == 1)
        // Expired: a new probe starts; the old ticket completing again must not overwrite it.
        guard
            case .miss(let second) = cache.lookup(Self.key("a"), now: Self.at(20), bypassCache: false, waiter: { _ in })
        else {
            Issue.record("expected a miss after expiry")
            return
        }
        cache.complete(first, with: Self.decision(.denied(status: 401), expires: 1_000))
        #expect(received.count == 1)
        #expect(Self.lookup(cache, "a", at: 21) == "coalesced")
        cache.complete(second, with: Self.decision(expires: 1_000))
        guard
            case .hit(let decision) = cache.lookup(
                Self.key("a"),
                now: Self.at(22),
                bypassCache: false,
                waiter: { _ in }
            )
        else {
            Issue.record("expected the second decision")
            return
        }
        #expect(decision.isGranted)
        #expect(cache.statistics.staleCompletions == 1)
    }

    @Test func manyThreadsSharingKeysReleaseEveryWaiterExactlyOnce() {
        let cache = DecisionCache(maxEntries: 16)
        let waiting = Counter()
        let released = Counter()
        let decided = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<2_000 {
                let key = Self.key("m\((thread * 7 + round) % 40)")
                let now = Self.at(UInt64(round))
                switch cache.lookup(key, now: now, bypassCache: round % 5 == 0, waiter: { _ in released.add() }) {
                case .hit: decided.add()
                case .coalesced: waiting.add()
                case .miss(let ticket):
                    let expires = UInt64(round + 3)
                    if round % 11 == 0 { cache.evict(key) }
                    cache.complete(ticket, with: Self.decision(expires: expires))
                    decided.add()
                }
            }
        }
        #expect(released.count == waiting.count)
        #expect(decided.count + waiting.count == 16_000)
        let statistics = cache.statistics
        #expect(statistics.probing == 0)
        #expect(statistics.size <= 16)
        #expect(statistics.staleCompletions == 0)
        #expect(statistics.hits + statistics.misses + statistics.coalesced == 16_000)
    }
}
