import AccessCheck
import HTTP1
import Testing

@testable import MaaSProxy

/// Every timeout of a client connection, on a manual clock: each phase × just before, at and after
/// its deadline. The bounds differ (request 7 s, idle and stall 30 s, linger 2 s), so a phase timed
/// by the wrong bound lands on the wrong instant and fails.
@Suite struct ServerConnectionPhaseTests {
    static let start = MonotonicInstant(nanoseconds: 1_000_000_000)
    static let limits = HTTPServerLimits(
        maxHeaderBytes: 16_384,
        maxBodyBytes: 1_048_576,
        connectionTimeoutSeconds: 30,
        requestReadTimeout: .seconds(7)
    )

    /// The phases, each built at `since` (a lingering one until `since + lingerTime`).
    enum Kind: String, CaseIterable, Sendable {
        case accepted
        case awaitingHeadIdle
        case awaitingHeadBegun
        case readingBody
        case exchanging
        case closingAfterFlush
        case lingering
        case closed

        func phase(since: MonotonicInstant) -> ServerConnectionPhase {
            switch self {
            case .accepted: .accepted(since: since)
            case .awaitingHeadIdle: .awaitingHead(since: since, begun: false)
            case .awaitingHeadBegun: .awaitingHead(since: since, begun: true)
            case .readingBody:
                .readingBody(
                    head: ServerConnectionPhaseTests.postHead,
                    decoder: BodyDecoder(framing: .length(5), maxBodyBytes: 1024),
                    body: Array("ab".utf8),
                    since: since
                )
            case .exchanging: .exchanging(lastProgress: since)
            case .closingAfterFlush: .closingAfterFlush(since: since)
            case .lingering: .lingering(until: since + ServerConnectionPhase.lingerTime)
            case .closed: .closed
            }
        }
    }

    static let postHead: RequestHead = {
        var parser = RequestHeadParser(limits: HeadLimits(maxHeadBytes: 4096, maxBodyBytes: 1024))
        let bytes = Array("POST /v1/completions HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n".utf8)
        guard case .head(let head, _) = bytes.withUnsafeBytes({ parser.parse($0) }) else {
            fatalError("the fixture head must parse")
        }
        return head
    }()

    struct Row: Sendable, CustomTestStringConvertible {
        var kind: Kind
        var queuedBytes: Int
        /// The deadline's distance from `start`; nil when nothing is timed.
        var bound: Duration?
        /// What the timer means at and after the deadline.
        var expiry: ServerConnectionPhase.Expiry
        var testDescription: String { "\(kind.rawValue), \(queuedBytes) queued" }
    }

    static let rows: [Row] = [
        Row(kind: .accepted, queuedBytes: 0, bound: .seconds(7), expiry: .closeSilently),
        Row(kind: .accepted, queuedBytes: 512, bound: .seconds(7), expiry: .closeSilently),
        Row(kind: .awaitingHeadIdle, queuedBytes: 0, bound: .seconds(30), expiry: .closeSilently),
        Row(kind: .awaitingHeadIdle, queuedBytes: 512, bound: .seconds(30), expiry: .closeSilently),
        Row(kind: .awaitingHeadBegun, queuedBytes: 0, bound: .seconds(7), expiry: .requestTimedOut),
        Row(kind: .awaitingHeadBegun, queuedBytes: 512, bound: .seconds(7), expiry: .requestTimedOut),
        Row(kind: .readingBody, queuedBytes: 0, bound: .seconds(7), expiry: .requestTimedOut),
        Row(kind: .readingBody, queuedBytes: 512, bound: .seconds(7), expiry: .requestTimedOut),
        Row(kind: .exchanging, queuedBytes: 1, bound: .seconds(30), expiry: .stalled),
        Row(kind: .exchanging, queuedBytes: 65_536, bound: .seconds(30), expiry: .stalled),
        Row(kind: .exchanging, queuedBytes: 0, bound: nil, expiry: .notYet),
        Row(kind: .closingAfterFlush, queuedBytes: 0, bound: .seconds(30), expiry: .closeSilently),
        Row(kind: .closingAfterFlush, queuedBytes: 512, bound: .seconds(30), expiry: .closeSilently),
        Row(kind: .lingering, queuedBytes: 0, bound: .seconds(2), expiry: .closeSilently),
        Row(kind: .lingering, queuedBytes: 512, bound: .seconds(2), expiry: .closeSilently),
        Row(kind: .closed, queuedBytes: 0, bound: nil, expiry: .notYet),
        Row(kind: .closed, queuedBytes: 512, bound: nil, expiry: .notYet),
    ]

    enum Moment: String, CaseIterable, Sendable {
        case justBefore
        case at
        case justAfter
        case hourAfter

        func instant(_ deadline: MonotonicInstant) -> MonotonicInstant {
            switch self {
            case .justBefore: MonotonicInstant(nanoseconds: deadline.nanoseconds - 1)
            case .at: deadline
            case .justAfter: deadline + .nanoseconds(1)
            case .hourAfter: deadline + .seconds(3600)
            }
        }
    }

    @Test func everyPhaseHasARow() {
        #expect(Set(Self.rows.map(\.kind)) == Set(Kind.allCases))
    }

    @Test(arguments: rows)
    func deadlineIsTheRowsBound(row: Row) {
        let phase = row.kind.phase(since: Self.start)
        let deadline = phase.deadline(limits: Self.limits, queuedBytes: row.queuedBytes)
        #expect(deadline == row.bound.map { Self.start + $0 })
    }

    @Test(arguments: rows, Moment.allCases)
    func expiryAroundTheDeadline(row: Row, moment: Moment) {
        let phase = row.kind.phase(since: Self.start)
        // An untimed phase is looked at around the longest bound: nothing may fire there either.
        let deadline = Self.start + (row.bound ?? .seconds(30))
        let expected: ServerConnectionPhase.Expiry = row.bound == nil || moment == .justBefore ? .notYet : row.expiry
        #expect(
            phase.expiry(at: moment.instant(deadline), limits: Self.limits, queuedBytes: row.queuedBytes) == expected
        )
    }

    /// A clock behind the phase's start (a timer armed from an older reading) never fires.
    @Test(arguments: Kind.allCases)
    func nothingExpiresAtOrBeforeItsStart(kind: Kind) {
        let phase = kind.phase(since: Self.start)
        for now in [MonotonicInstant(nanoseconds: 0), Self.start] {
            #expect(phase.expiry(at: now, limits: Self.limits, queuedBytes: 1) == .notYet)
        }
    }

    @Test(arguments: [Kind.exchanging, .closed])
    func untimedPhasesNeverExpireEvenAtTheEndOfTime(kind: Kind) {
        let phase = kind.phase(since: Self.start)
        let end = MonotonicInstant(nanoseconds: .max)
        #expect(phase.deadline(limits: Self.limits, queuedBytes: 0) == nil)
        #expect(phase.expiry(at: end, limits: Self.limits, queuedBytes: 0) == .notYet)
    }

    /// Near the end of the clock a deadline saturates instead of wrapping into the past.
    @Test(arguments: [
        (Kind.accepted, ServerConnectionPhase.Expiry.closeSilently), (.awaitingHeadIdle, .closeSilently),
        (.awaitingHeadBegun, .requestTimedOut), (.readingBody, .requestTimedOut), (.exchanging, .stalled),
        (.closingAfterFlush, .closeSilently), (.lingering, .closeSilently),
    ])
    func deadlinesSaturateAtTheEndOfTheClock(kind: Kind, expiry: ServerConnectionPhase.Expiry) {
        let since = MonotonicInstant(nanoseconds: .max - 1)
        let phase = kind.phase(since: since)
        let end = MonotonicInstant(nanoseconds: .max)
        #expect(phase.deadline(limits: Self.limits, queuedBytes: 1) == end)
        #expect(phase.expiry(at: since, limits: Self.limits, queuedBytes: 1) == .notYet)
        #expect(phase.expiry(at: end, limits: Self.limits, queuedBytes: 1) == expiry)
    }

    @Test(arguments: [(Int32(0), Duration.zero), (1, .seconds(1)), (30, .seconds(30)), (.max, .seconds(2_147_483_647))])
    func idleAndStallBoundsAreTheConnectionTimeout(seconds: Int32, expected: Duration) {
        var limits = Self.limits
        limits.connectionTimeoutSeconds = seconds
        #expect(limits.idleTimeout == expected)
        #expect(limits.writeStallTimeout == expected)
        let idle = ServerConnectionPhase.awaitingHead(since: Self.start, begun: false)
        #expect(idle.deadline(limits: limits, queuedBytes: 0) == Self.start + expected)
    }

    /// A zero bound expires at its very start.
    @Test func zeroRequestReadTimeoutExpiresImmediately() {
        var limits = Self.limits
        limits.requestReadTimeout = .zero
        let begun = ServerConnectionPhase.awaitingHead(since: Self.start, begun: true)
        #expect(begun.expiry(at: Self.start, limits: limits, queuedBytes: 0) == .requestTimedOut)
        let before = MonotonicInstant(nanoseconds: Self.start.nanoseconds - 1)
        #expect(begun.expiry(at: before, limits: limits, queuedBytes: 0) == .notYet)
    }

    @Test func lingerTimeIsTwoSeconds() {
        #expect(ServerConnectionPhase.lingerTime == .seconds(2))
    }

    @Test(arguments: Kind.allCases)
    func flagsNameExactlyTheirPhase(kind: Kind) {
        let phase = kind.phase(since: Self.start)
        #expect(phase.isClosed == (kind == .closed))
        #expect(phase.isLingering == (kind == .lingering))
        #expect(phase.isClosingAfterFlush == (kind == .closingAfterFlush))
    }

    /// One keep-alive connection's life, the clock moved by hand: each phase re-arms from its own
    /// start, so time spent in an earlier phase is never charged to the next one.
    @Test func aKeepAliveConnectionReArmsFromEachPhasesStart() {
        let limits = Self.limits
        var now = Self.start
        func at(_ offset: Duration) -> MonotonicInstant { Self.start + offset }

        // Accepted at 0: the first request is due by 7 s.
        var phase = ServerConnectionPhase.accepted(since: now)
        #expect(phase.deadline(limits: limits, queuedBytes: 0) == at(.seconds(7)))
        // The head arrives whole at 6 s and its answer is queued: the client must take some by 36 s.
        now = at(.seconds(6))
        phase = .exchanging(lastProgress: now)
        #expect(phase.deadline(limits: limits, queuedBytes: 100) == at(.seconds(36)))
        #expect(phase.expiry(at: at(.seconds(35)), limits: limits, queuedBytes: 100) == .notYet)
        // It takes some at 20 s: the stall bound now runs from there.
        now = at(.seconds(20))
        phase = .exchanging(lastProgress: now)
        #expect(phase.expiry(at: at(.seconds(36)), limits: limits, queuedBytes: 100) == .notYet)
        #expect(phase.expiry(at: at(.seconds(50)), limits: limits, queuedBytes: 100) == .stalled)
        // All written at 20 s: idle until the next request, due by 50 s.
        phase = .awaitingHead(since: now, begun: false)
        #expect(phase.expiry(at: at(.seconds(49)), limits: limits, queuedBytes: 0) == .notYet)
        // Its first byte at 45 s: now the request bound runs from 45 s, not the idle one from 20 s.
        now = at(.seconds(45))
        phase = .awaitingHead(since: now, begun: true)
        #expect(phase.deadline(limits: limits, queuedBytes: 0) == at(.seconds(52)))
        #expect(phase.expiry(at: at(.seconds(50)), limits: limits, queuedBytes: 0) == .notYet)
        #expect(phase.expiry(at: at(.seconds(52)), limits: limits, queuedBytes: 0) == .requestTimedOut)
        // The 408 is queued at 52 s; the client never reads it: dropped at 82 s, then linger 2 s.
        now = at(.seconds(52))
        phase = .closingAfterFlush(since: now)
        #expect(phase.expiry(at: at(.seconds(82)), limits: limits, queuedBytes: 0) == .closeSilently)
        phase = .lingering(until: at(.seconds(82)) + ServerConnectionPhase.lingerTime)
        #expect(phase.deadline(limits: limits, queuedBytes: 0) == at(.seconds(84)))
        #expect(phase.expiry(at: at(.seconds(83)), limits: limits, queuedBytes: 0) == .notYet)
        #expect(phase.expiry(at: at(.seconds(84)), limits: limits, queuedBytes: 0) == .closeSilently)
    }
}
