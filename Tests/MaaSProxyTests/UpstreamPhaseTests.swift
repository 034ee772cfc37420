import AccessCheck
import Testing

@testable import MaaSProxy

/// An upstream call's timeouts on a manual clock: each phase × just before, at and after its
/// deadline, with and without a total bound, the total winning over the phase bound and the
/// reverse. The bounds differ (connect 3 s, response 11 s, idle 5 s) so a phase timed by the wrong
/// one fails.
@Suite struct UpstreamPhaseTests {
    static let start = MonotonicInstant(nanoseconds: 1_000_000_000)

    static func at(_ offset: Duration) -> MonotonicInstant { start + offset }

    static func bounds(total: Duration?) -> UpstreamDeadlines {
        UpstreamDeadlines(connect: .seconds(3), response: .seconds(11), idle: .seconds(5), total: total)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var phase: UpstreamPhase
        var deadlines: UpstreamDeadlines
        /// The deadline's distance from `start`; nil when nothing is timed.
        var due: Duration?
        /// What the timer means at and after the deadline.
        var expiry: UpstreamPhase.Expiry
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        // Phase bounds alone.
        Row(
            name: "connecting, no total",
            phase: .connecting(since: at(.zero), started: at(.zero)),
            deadlines: bounds(total: nil),
            due: .seconds(3),
            expiry: .connectTimedOut
        ),
        Row(
            name: "connecting again later in the call, no total",
            phase: .connecting(since: at(.seconds(4)), started: at(.zero)),
            deadlines: bounds(total: nil),
            due: .seconds(7),
            expiry: .connectTimedOut
        ),
        Row(
            name: "awaiting head, no total",
            phase: .awaitingHead(since: at(.seconds(2)), started: at(.zero)),
            deadlines: bounds(total: nil),
            due: .seconds(13),
            expiry: .responseTimedOut
        ),
        Row(
            name: "reading body, no total",
            phase: .readingBody(lastByte: at(.seconds(20)), started: at(.zero)),
            deadlines: bounds(total: nil),
            due: .seconds(25),
            expiry: .idleTimedOut
        ),
        Row(name: "idle, no total", phase: .idle, deadlines: bounds(total: nil), due: nil, expiry: .notYet),
        Row(name: "closed, no total", phase: .closed, deadlines: bounds(total: nil), due: nil, expiry: .notYet),
        // The total bound first.
        Row(
            name: "connecting, total wins",
            phase: .connecting(since: at(.seconds(8)), started: at(.zero)),
            deadlines: bounds(total: .seconds(10)),
            due: .seconds(10),
            expiry: .totalTimedOut
        ),
        Row(
            name: "awaiting head, total wins",
            phase: .awaitingHead(since: at(.seconds(2)), started: at(.zero)),
            deadlines: bounds(total: .seconds(10)),
            due: .seconds(10),
            expiry: .totalTimedOut
        ),
        Row(
            name: "reading body, total wins",
            phase: .readingBody(lastByte: at(.seconds(20)), started: at(.zero)),
            deadlines: bounds(total: .seconds(24)),
            due: .seconds(24),
            expiry: .totalTimedOut
        ),
        Row(
            name: "call started before the phase's clock, total wins",
            phase: .awaitingHead(since: at(.seconds(5)), started: at(.seconds(1))),
            deadlines: bounds(total: .seconds(6)),
            due: .seconds(7),
            expiry: .totalTimedOut
        ),
        Row(
            name: "zero total",
            phase: .connecting(since: at(.zero), started: at(.zero)),
            deadlines: bounds(total: .zero),
            due: .zero,
            expiry: .totalTimedOut
        ),
        // The phase bound first.
        Row(
            name: "connecting, phase wins",
            phase: .connecting(since: at(.zero), started: at(.zero)),
            deadlines: bounds(total: .seconds(10)),
            due: .seconds(3),
            expiry: .connectTimedOut
        ),
        Row(
            name: "awaiting head, phase wins",
            phase: .awaitingHead(since: at(.seconds(2)), started: at(.zero)),
            deadlines: bounds(total: .seconds(20)),
            due: .seconds(13),
            expiry: .responseTimedOut
        ),
        Row(
            name: "reading body, phase wins",
            phase: .readingBody(lastByte: at(.seconds(20)), started: at(.zero)),
            deadlines: bounds(total: .seconds(60)),
            due: .seconds(25),
            expiry: .idleTimedOut
        ),
        Row(
            name: "huge total, phase wins",
            phase: .awaitingHead(since: at(.zero), started: at(.zero)),
            deadlines: bounds(total: .seconds(Int64.max)),
            due: .seconds(11),
            expiry: .responseTimedOut
        ),
        // Both at once: the call's whole bound is what passed.
        Row(
            name: "connecting, tie",
            phase: .connecting(since: at(.seconds(7)), started: at(.zero)),
            deadlines: bounds(total: .seconds(10)),
            due: .seconds(10),
            expiry: .totalTimedOut
        ),
        Row(
            name: "reading body, tie",
            phase: .readingBody(lastByte: at(.seconds(5)), started: at(.zero)),
            deadlines: bounds(total: .seconds(10)),
            due: .seconds(10),
            expiry: .totalTimedOut
        ),
        // Nothing timed, whatever the total.
        Row(name: "idle, total", phase: .idle, deadlines: bounds(total: .seconds(1)), due: nil, expiry: .notYet),
        Row(name: "closed, total", phase: .closed, deadlines: bounds(total: .zero), due: nil, expiry: .notYet),
    ]

    enum Moment: String, CaseIterable, Sendable {
        case justBefore
        case at
        case justAfter

        func instant(_ deadline: MonotonicInstant) -> MonotonicInstant {
            switch self {
            case .justBefore: MonotonicInstant(nanoseconds: deadline.nanoseconds - 1)
            case .at: deadline
            case .justAfter: deadline + .nanoseconds(1)
            }
        }
    }

    @Test(arguments: rows)
    func deadlineIsTheEarlierBound(row: Row) {
        #expect(row.phase.deadline(row.deadlines) == row.due.map { Self.start + $0 })
    }

    @Test(arguments: rows, Moment.allCases)
    func expiryAroundTheDeadline(row: Row, moment: Moment) {
        // An untimed phase is looked at around the longest bound: nothing may fire there either.
        let deadline = Self.start + (row.due ?? .seconds(60))
        let expected: UpstreamPhase.Expiry = row.due == nil || moment == .justBefore ? .notYet : row.expiry
        #expect(row.phase.expiry(at: moment.instant(deadline), row.deadlines) == expected)
    }

    /// A timer that fires late, past the phase bound and the total alike, reports the total; between
    /// the two, the phase's own bound.
    @Test(arguments: [
        (Duration.seconds(2), UpstreamPhase.Expiry.notYet), (.seconds(3), .connectTimedOut),
        (.seconds(9), .connectTimedOut), (.seconds(10), .totalTimedOut), (.seconds(500), .totalTimedOut),
    ])
    func aLateTimerReportsTheBoundsThatPassed(offset: Duration, expected: UpstreamPhase.Expiry) {
        let phase = UpstreamPhase.connecting(since: Self.start, started: Self.start)
        #expect(phase.expiry(at: Self.at(offset), Self.bounds(total: .seconds(10))) == expected)
    }

    /// Every body read moves the idle deadline; the total still caps it.
    @Test func theIdleDeadlineMovesWithEachReadUntilTheTotalCapsIt() {
        let deadlines = Self.bounds(total: .seconds(12))
        let reads: [(read: Duration, due: Duration)] = [
            (.zero, .seconds(5)), (.seconds(4), .seconds(9)), (.seconds(8), .seconds(12)), (.seconds(11), .seconds(12)),
        ]
        for (read, due) in reads {
            let phase = UpstreamPhase.readingBody(lastByte: Self.at(read), started: Self.start)
            #expect(phase.deadline(deadlines) == Self.at(due), "read at \(read)")
        }
        let stale = UpstreamPhase.readingBody(lastByte: Self.at(.seconds(4)), started: Self.start)
        #expect(stale.expiry(at: Self.at(.seconds(9)), deadlines) == .idleTimedOut)
        let fresh = UpstreamPhase.readingBody(lastByte: Self.at(.seconds(11)), started: Self.start)
        #expect(fresh.expiry(at: Self.at(.seconds(12)), deadlines) == .totalTimedOut)
    }

    /// Near the end of the clock a deadline saturates instead of wrapping into the past.
    @Test(arguments: [nil, Duration.seconds(1)])
    func deadlinesSaturateAtTheEndOfTheClock(total: Duration?) {
        let late = MonotonicInstant(nanoseconds: .max - 1)
        let end = MonotonicInstant(nanoseconds: .max)
        let phase = UpstreamPhase.awaitingHead(since: late, started: late)
        #expect(phase.deadline(Self.bounds(total: total)) == end)
        #expect(phase.expiry(at: late, Self.bounds(total: total)) == .notYet)
        #expect(phase.expiry(at: end, Self.bounds(total: total)) == (total == nil ? .responseTimedOut : .totalTimedOut))
    }

    @Test func deadlinesCompareEveryBound() {
        let base = Self.bounds(total: nil)
        #expect(base == Self.bounds(total: nil))
        #expect(base != Self.bounds(total: .seconds(1)))
        var other = base
        other.idle = .seconds(6)
        #expect(base != other)
    }
}
