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

    @Test func aHugeLifetimeNeverExpiresInThePast() {
        let scheduler = ManualScheduler()
        let lifetimes = DecisionLifetimes(granted: .seconds(Int64.max))
        let decision = lifetimes.decision(.granted(served: [], via405: false), at: scheduler)
        #expect(decision.expiresAt > scheduler.now)
    }
}
