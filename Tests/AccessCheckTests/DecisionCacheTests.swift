import AccessCheck
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

    @Test func missThenHitUntilExpiry() {
        let cache = DecisionCache()
        guard
            case .miss(let ticket) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in })
        else {
            Issue.record("expected a miss")
            return
        }
        cache.complete(ticket, with: Self.decision(expires: 100))
        guard case .hit = cache.lookup(Self.key("a"), now: Self.at(99), bypassCache: false, waiter: { _ in }) else {
            Issue.record("expected a hit before expiry")
            return
        }
        guard case .miss = cache.lookup(Self.key("a"), now: Self.at(100), bypassCache: false, waiter: { _ in }) else {
            Issue.record("expected a miss at expiry")
            return
        }
        #expect(cache.statistics.hits == 1)
        #expect(cache.statistics.misses == 2)
    }

    @Test func singleFlightWaitersGetTheProbesDecision() {
        let cache = DecisionCache()
        let received = ResultCounter()
        guard
            case .miss(let ticket) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in })
        else {
            Issue.record("expected a miss")
            return
        }
        for _ in 0..<3 {
            guard
                case .coalesced = cache.lookup(
                    Self.key("a"),
                    now: Self.at(1),
                    bypassCache: true,
                    waiter: { _ in received.add() }
                )
            else {
                Issue.record("expected to join the probe in flight, even with bypass")
                return
            }
        }
        #expect(received.count == 0)
        cache.complete(ticket, with: Self.decision(expires: 100))
        #expect(received.count == 3)
        #expect(cache.statistics.coalesced == 3)
    }

    @Test func bypassSkipsAFreshDecision() {
        let cache = DecisionCache()
        guard
            case .miss(let ticket) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in })
        else { return }
        cache.complete(ticket, with: Self.decision(expires: 1_000))
        guard case .miss = cache.lookup(Self.key("a"), now: Self.at(1), bypassCache: true, waiter: { _ in }) else {
            Issue.record("no-cache must re-probe")
            return
        }
    }

    @Test func credentialsAndSubscriptionsAreSeparateKeys() {
        #expect(Self.key("a", token: "Bearer a") != Self.key("a", token: "Bearer b"))
        let plain = CredentialDigest(caller: Fixtures.caller("Bearer a"), digest: FakeDigest())
        let empty = CredentialDigest(caller: Fixtures.caller("Bearer a", subscription: ""), digest: FakeDigest())
        let gold = CredentialDigest(caller: Fixtures.caller("Bearer a", subscription: "gold"), digest: FakeDigest())
        #expect(Set([plain, empty, gold]).count == 3)
    }

    @Test func leastRecentlyUsedIsEvictedFirst() {
        let cache = DecisionCache(maxEntries: 2)
        func store(_ name: String) {
            if case .miss(let ticket) = cache.lookup(
                Self.key(name),
                now: Self.at(0),
                bypassCache: false,
                waiter: { _ in }
            ) {
                cache.complete(ticket, with: Self.decision(expires: 1_000))
            }
        }
        store("a")
        store("b")
        _ = cache.lookup(Self.key("a"), now: Self.at(1), bypassCache: false, waiter: { _ in })  // a is now newer than b
        store("c")
        #expect(cache.statistics.size == 2)
        guard case .hit = cache.lookup(Self.key("a"), now: Self.at(2), bypassCache: false, waiter: { _ in }) else {
            Issue.record("a was used recently and must stay")
            return
        }
        guard case .miss = cache.lookup(Self.key("b"), now: Self.at(2), bypassCache: false, waiter: { _ in }) else {
            Issue.record("b was least recently used and must be gone")
            return
        }
    }

    @Test func evictForgetsADecisionAtOnce() {
        let cache = DecisionCache()
        if case .miss(let ticket) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in }) {
            cache.complete(ticket, with: Self.decision(expires: 1_000))
        }
        cache.evict(Self.key("a"))
        guard case .miss = cache.lookup(Self.key("a"), now: Self.at(1), bypassCache: false, waiter: { _ in }) else {
            Issue.record("evicted decision must be probed again")
            return
        }
    }

    @Test func aStaleTicketReleasesItsWaitersButKeepsTheNewerEntry() {
        let cache = DecisionCache()
        let received = ResultCounter()
        guard case .miss(let first) = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in })
        else { return }
        _ = cache.lookup(Self.key("a"), now: Self.at(0), bypassCache: false, waiter: { _ in received.add() })
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
        guard case .coalesced = cache.lookup(Self.key("a"), now: Self.at(21), bypassCache: false, waiter: { _ in })
        else {
            Issue.record("the second probe is still in flight")
            return
        }
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
    }
}

final class ResultCounter: @unchecked Sendable {
    private(set) var count = 0
    func add() { count += 1 }
}
