import AccessCheck
import Testing

@Suite struct MonotonicInstantTests {
    @Test(arguments: [
        (Duration.seconds(2), UInt64(2_000_000_000)),
        (.milliseconds(1_500), 1_500_000_000),
        (.nanoseconds(7), 7),
        (.zero, 0),
        (.milliseconds(-500), 0),
        (.seconds(-3), 0),
        (.seconds(Int64.max), UInt64.max),
    ])
    func durationsInNanoseconds(duration: Duration, nanoseconds: UInt64) {
        #expect(duration.nanosecondsClamped == nanoseconds)
    }

    @Test func addingSaturatesAndDifferencesNeverGoNegative() {
        let start = MonotonicInstant(nanoseconds: 1_000)
        #expect((start + .nanoseconds(5)).nanoseconds == 1_005)
        #expect((start + .seconds(Int64.max)).nanoseconds == .max)
        #expect((MonotonicInstant(nanoseconds: .max - 1) + .nanoseconds(5)).nanoseconds == .max)
        #expect((start + .nanoseconds(5)).since(start) == .nanoseconds(5))
        #expect(start.since(start + .nanoseconds(5)) == .zero)
        #expect(MonotonicInstant(nanoseconds: .max).since(MonotonicInstant(nanoseconds: 0)) == .nanoseconds(Int64.max))
    }

    /// The hot paths' forms: a bound converted once and added, and a timer's wait in milliseconds.
    @Test(arguments: [
        (UInt64(1_000), UInt64(5), UInt64(1_005)),
        (0, 0, 0),
        (.max - 1, 5, .max),
        (7, .max, .max),
    ])
    func addingNanosecondsSaturates(start: UInt64, added: UInt64, expected: UInt64) {
        let instant = MonotonicInstant(nanoseconds: start)
        #expect(instant.adding(nanoseconds: added).nanoseconds == expected)
        // The same as adding the Duration, wherever the Duration can say it.
        if added <= UInt64(Int64.max) {
            #expect(instant.adding(nanoseconds: added) == instant + .nanoseconds(Int64(added)))
        }
    }

    @Test(arguments: [
        (UInt64(0), UInt64(0), Int64(0)),
        (0, 1, 1),
        (0, 1_000_000, 1),
        (0, 1_000_001, 2),
        (5, 2_000_005, 2),
        (10, 3, 0),
        (0, .max, Int64(UInt64.max / 1_000_000 + 1)),
    ])
    func millisecondsUntilALaterInstantRoundUp(from: UInt64, to: UInt64, expected: Int64) {
        #expect(
            MonotonicInstant(nanoseconds: from).millisecondsRoundedUp(until: MonotonicInstant(nanoseconds: to))
                == expected
        )
    }

    @Test func aHugeLifetimeNeverExpiresInThePast() {
        let scheduler = ManualScheduler()
        let lifetimes = DecisionLifetimes(granted: .seconds(Int64.max))
        let decision = lifetimes.decision(.granted(served: [], via405: false), at: scheduler)
        #expect(decision.expiresAt > scheduler.now)
    }
}
