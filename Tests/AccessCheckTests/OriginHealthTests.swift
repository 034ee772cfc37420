import AccessCheck
import Routing
import Synchronization
import Testing

/// The backend-health registry (SPEC 3.2) driven by hand: explicit instants, no jitter unless a
/// row says so.
@Suite struct OriginHealthTests {
    static let origin = BackendOrigin(scheme: "http", host: "10.0.0.1", port: 8000)
    static let other = BackendOrigin(scheme: "https", host: "10.0.0.1", port: 8000)

    /// Milliseconds after a fixed start, as an instant.
    static func at(_ milliseconds: Int) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: 1_000_000_000_000) + .milliseconds(milliseconds)
    }

    /// One event, or one question with the answer expected (instants in ms).
    enum Step: CustomStringConvertible, Sendable {
        case admit(Int, String)
        case standing(Int, OriginStanding)
        case answered(Int)
        case unreachable(sent: Int, at: Int)
        case unanswered(sent: Int, at: Int)
        case released(sent: Int)

        var description: String {
            switch self {
            case .admit(let at, let expected): "admit@\(at)=\(expected)"
            case .standing(let at, let expected): "standing@\(at)=\(expected)"
            case .answered(let at): "answered@\(at)"
            case .unreachable(let sent, let at): "unreachable(\(sent))@\(at)"
            case .unanswered(let sent, let at): "unanswered(\(sent))@\(at)"
            case .released(let sent): "released(\(sent))"
            }
        }
    }

    /// `send`, `trial`, or `refuse<ms>` (the instant a trial may go, in ms after the start).
    static func word(_ admission: OriginAdmission) -> String {
        switch admission {
        case .send: "send"
        case .trial: "trial"
        case .refuse(let until): "refuse\(Int(until.since(at(0)).milliseconds.rounded()))"
        }
    }

    static let scripts: [(String, [Step])] = [
        ("an unknown origin is sent to", [.standing(0, .unknown), .admit(0, "send"), .admit(5, "send")]),
        ("an answer makes it answering", [.answered(0), .standing(1, .answering), .admit(1, "send")]),
        (
            "a failure downs it for 1 s, then one trial at a time",
            [
                .unreachable(sent: 0, at: 10), .standing(10, .down), .admit(10, "refuse1010"),
                .admit(1_009, "refuse1010"), .standing(1_010, .trialDue), .admit(1_010, "trial"),
                .admit(1_010, "refuse31010"), .admit(20_000, "refuse31010"),
            ]
        ),
        (
            "a trial that answers brings it up and resets the interval",
            [
                .unreachable(sent: 0, at: 0), .admit(1_000, "trial"), .answered(1_050), .standing(1_050, .answering),
                .admit(1_050, "send"), .unreachable(sent: 2_000, at: 2_000), .admit(2_000, "refuse3000"),
            ]
        ),
        (
            "failed trials double the interval up to 30 s",
            [
                .unreachable(sent: 0, at: 0), .admit(1_000, "trial"), .unreachable(sent: 1_000, at: 1_000),
                .admit(1_000, "refuse3000"), .admit(3_000, "trial"), .unreachable(sent: 3_000, at: 3_000),
                .admit(3_000, "refuse7000"), .admit(7_000, "trial"), .unreachable(sent: 7_000, at: 7_000),
                .admit(7_000, "refuse15000"), .admit(15_000, "trial"), .unreachable(sent: 15_000, at: 15_000),
                .admit(15_000, "refuse31000"), .admit(31_000, "trial"), .unreachable(sent: 31_000, at: 31_000),
                .admit(31_000, "refuse61000"), .admit(61_000, "trial"), .unreachable(sent: 61_000, at: 61_000),
                .admit(61_000, "refuse91000"),
            ]
        ),
        (
            "a failure of a request sent before the origin went down changes nothing",
            [
                .unreachable(sent: 0, at: 0), .unreachable(sent: 0, at: 5), .unreachable(sent: 2, at: 900),
                .admit(900, "refuse1000"), .admit(1_000, "trial"), .unreachable(sent: 500, at: 1_100),
                .admit(1_100, "refuse31000"),
            ]
        ),
        (
            "a trial that tells nothing frees the slot for the next request",
            [
                .unreachable(sent: 0, at: 0), .admit(1_000, "trial"), .released(sent: 1_000),
                .admit(1_001, "trial"), .admit(1_002, "refuse31001"),
            ]
        ),
        (
            "a release of an older request keeps the trial out",
            [.unreachable(sent: 0, at: 0), .admit(1_000, "trial"), .released(sent: 999), .admit(1_001, "refuse31000")]
        ),
        (
            "a trial that never reports is taken as lost after its lease",
            [
                .unreachable(sent: 0, at: 0), .admit(1_000, "trial"), .admit(30_999, "refuse31000"),
                .admit(31_000, "trial"), .unreachable(sent: 1_000, at: 31_500), .admit(31_500, "refuse61000"),
            ]
        ),
        (
            "any answer brings it up, even one to a request sent before it went down",
            [.unreachable(sent: 10, at: 10), .answered(20), .standing(20, .answering), .admit(20, "send")]
        ),
        (
            "unanswered at the deadline downs an origin that answered nothing since",
            [.answered(0), .unanswered(sent: 100, at: 15_100), .admit(15_100, "refuse16100")]
        ),
        (
            "unanswered downs an origin never seen",
            [.unanswered(sent: 0, at: 2_000), .standing(2_000, .down), .admit(2_999, "refuse3000")]
        ),
        (
            "unanswered is ignored when the origin answered another request since",
            [.answered(0), .answered(500), .unanswered(sent: 100, at: 15_100), .standing(15_100, .answering)]
        ),
        (
            "an unanswered trial doubles the interval",
            [
                .unreachable(sent: 0, at: 0), .admit(1_000, "trial"), .unanswered(sent: 1_000, at: 3_000),
                .admit(3_000, "refuse5000"),
            ]
        ),
        (
            "a release while up changes nothing",
            [.answered(0), .released(sent: 0), .standing(1, .answering), .released(sent: 5), .admit(5, "send")]
        ),
        (
            "a down origin nobody asks about stays down, due a trial",
            [.unreachable(sent: 0, at: 0), .admit(1_000, "trial"), .standing(700_000, .trialDue)]
        ),
    ]

    @Test(arguments: scripts)
    func script(name: String, steps: [Step]) {
        let health = OriginHealth(random: { 0 })
        for (index, step) in steps.enumerated() {
            let context = Comment(rawValue: "\(name): step \(index + 1) \(step)")
            switch step {
            case .admit(let at, let expected):
                #expect(Self.word(health.admit(Self.origin, now: Self.at(at))) == expected, context)
            case .standing(let at, let expected):
                #expect(health.standing(of: Self.origin, now: Self.at(at)) == expected, context)
            case .answered(let at):
                health.answered(Self.origin, now: Self.at(at))
            case .unreachable(let sent, let at):
                health.unreachable(Self.origin, sentAt: Self.at(sent), now: Self.at(at), reason: "refused")
            case .unanswered(let sent, let at):
                health.unanswered(Self.origin, sentAt: Self.at(sent), now: Self.at(at))
            case .released(let sent):
                health.released(Self.origin, sentAt: Self.at(sent))
            }
        }
        // The other origin (same host and port, other scheme) is never affected.
        #expect(health.standing(of: Self.other, now: Self.at(0)) == .unknown)
        #expect(health.admit(Self.other, now: Self.at(0)) == .send)
    }

    static let intervals: [(failures: Int, random: Double, milliseconds: Double)] = [
        (1, 0, 1_000), (0, 0, 1_000), (-3, 0, 1_000), (2, 0, 2_000), (3, 0, 4_000), (4, 0, 8_000),
        (5, 0, 16_000), (6, 0, 30_000), (7, 0, 30_000), (1_000, 0, 30_000), (Int.max, 0, 30_000),
        (1, 0.5, 900), (1, 0.999, 800.2), (6, 0.5, 27_000), (3, 1, 3_200), (3, 7, 3_200), (3, -1, 4_000),
        (3, .nan, 4_000), (3, .infinity, 4_000),
    ]

    @Test(arguments: intervals)
    func theIntervalDoublesIsCappedAndJitteredDownwards(failures: Int, random: Double, milliseconds: Double) {
        let interval = OriginHealthPolicy.spec.interval(afterFailures: failures, random: random)
        #expect(abs(interval.milliseconds - milliseconds) < 0.001)
        #expect(interval <= OriginHealthPolicy.spec.maxInterval)
    }

    static let policies: [(OriginHealthPolicy, failures: Int, milliseconds: Double)] = [
        // A cap below the base is raised to it; a negative jitter is none; a jitter over 1 is 1.
        (
            OriginHealthPolicy(
                baseInterval: .seconds(2),
                maxInterval: .seconds(1),
                jitterFraction: 0,
                trialLease: .zero,
                forgetAfter: .zero
            ), 3, 2_000
        ),
        (
            OriginHealthPolicy(
                baseInterval: .seconds(1),
                maxInterval: .seconds(5),
                jitterFraction: -1,
                trialLease: .zero,
                forgetAfter: .zero
            ), 9, 5_000
        ),
        (
            OriginHealthPolicy(
                baseInterval: .zero,
                maxInterval: .seconds(5),
                jitterFraction: 0,
                trialLease: .zero,
                forgetAfter: .zero
            ), 9, 0
        ),
    ]

    @Test(arguments: policies)
    func policyBoundsAreClamped(policy: OriginHealthPolicy, failures: Int, milliseconds: Double) {
        #expect(policy.interval(afterFailures: failures, random: 0.5).milliseconds == milliseconds)
    }

    @Test func theJitterComesFromTheInjectedRandom() {
        let health = OriginHealth(random: { 0.5 })
        health.unreachable(Self.origin, sentAt: Self.at(0), now: Self.at(0), reason: "refused")
        #expect(Self.word(health.admit(Self.origin, now: Self.at(0))) == "refuse900")
    }

    @Test func transitionsAreReportedOnceEachAndCounted() {
        let seen = Mutex<[OriginTransition]>([])
        let health = OriginHealth(
            random: { 0 },
            onTransition: { origin, transition in
                #expect(origin == Self.origin)
                seen.withLock { $0.append(transition) }
            }
        )
        health.unreachable(Self.origin, sentAt: Self.at(0), now: Self.at(0), reason: "cannot connect")
        health.unreachable(Self.origin, sentAt: Self.at(0), now: Self.at(1), reason: "cannot connect")
        _ = health.admit(Self.origin, now: Self.at(1_000))
        health.unreachable(Self.origin, sentAt: Self.at(1_000), now: Self.at(1_000), reason: "cannot connect")
        #expect(health.statistics.down == 1)
        #expect(health.statistics.failedTrials == 1)
        health.answered(Self.origin, now: Self.at(4_000))
        health.answered(Self.origin, now: Self.at(4_001))
        #expect(
            seen.withLock { $0 }
                == [.wentDown(interval: .seconds(1), reason: "cannot connect"), .cameUp(downFor: .seconds(4))]
        )
        let statistics = health.statistics
        #expect(statistics.down == 0)
        #expect(statistics.wentDown == 1)
        #expect(statistics.cameUp == 1)
        #expect(statistics.known == 1)
    }

    @Test func thousandsOfOriginsAreKeptApartAndCounted() {
        let health = OriginHealth(random: { 0 })
        let origins = (1...2_000).map { BackendOrigin(scheme: "http", host: "127.0.0.1", port: 20_000 + $0) }
        for origin in origins { health.unreachable(origin, sentAt: Self.at(0), now: Self.at(0), reason: "refused") }
        #expect(health.statistics.down == 2_000)
        health.answered(origins[7], now: Self.at(10))
        #expect(health.statistics.down == 1_999)
        #expect(health.admit(origins[7], now: Self.at(10)) == .send)
        #expect(Self.word(health.admit(origins[8], now: Self.at(10))) == "refuse1000")
    }

    @Test func originsUnusedForTenMinutesAreForgotten() {
        let health = OriginHealth(random: { 0 })
        let dead = (1...1_500).map { BackendOrigin(scheme: "http", host: "127.0.0.1", port: 30_000 + $0) }
        for origin in dead { health.unreachable(origin, sentAt: Self.at(0), now: Self.at(0), reason: "refused") }
        health.answered(Self.origin, now: Self.at(0))
        #expect(health.statistics.known == 1_501)
        // Ten minutes later, new origins are added; the sweep they trigger drops the unused ones.
        let later = (1...1_600).map { BackendOrigin(scheme: "http", host: "10.9.9.9", port: $0) }
        for origin in later { health.answered(origin, now: Self.at(600_000)) }
        let statistics = health.statistics
        #expect(statistics.down == 0)
        #expect(statistics.known < 1_601 + 1)
        #expect(statistics.known >= 1_600)
        #expect(health.standing(of: dead[0], now: Self.at(600_000)) == .unknown)
        #expect(health.admit(dead[0], now: Self.at(600_000)) == .send)
    }
}
