import Foundation
import Logging
import Synchronization
import Testing

@testable import MaaSProxy

/// The pure rate limiter of catalog warnings (SPEC 6 Logs), driven by a manual clock.
@Suite struct LogRateLimiterTests {
    typealias Admission = LogRateLimiter.Admission

    /// A step: at `seconds`, a line of `key`; what the limiter answers.
    struct Step: Sendable {
        var seconds: Double
        var key: String
        var write: Bool
        var suppressedBefore: Int = 0
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var burst: Int
        var window: Double
        var steps: [Step]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "the burst passes, the rest of the window is suppressed",
            burst: 2,
            window: 10,
            steps: [
                Step(seconds: 0, key: "a", write: true), Step(seconds: 1, key: "a", write: true),
                Step(seconds: 2, key: "a", write: false), Step(seconds: 9.9, key: "a", write: false),
            ]
        ),
        Case(
            label: "a line in the next window reports what the last one suppressed",
            burst: 1,
            window: 10,
            steps: [
                Step(seconds: 0, key: "a", write: true), Step(seconds: 1, key: "a", write: false),
                Step(seconds: 2, key: "a", write: false),
                Step(seconds: 10, key: "a", write: true, suppressedBefore: 2),
                Step(seconds: 11, key: "a", write: false),
            ]
        ),
        Case(
            label: "a window that suppressed nothing reports nothing",
            burst: 3,
            window: 5,
            steps: [
                Step(seconds: 0, key: "a", write: true), Step(seconds: 6, key: "a", write: true),
                Step(seconds: 7, key: "a", write: true),
            ]
        ),
        Case(
            label: "keys are limited independently",
            burst: 1,
            window: 10,
            steps: [
                Step(seconds: 0, key: "a", write: true), Step(seconds: 0, key: "b", write: true),
                Step(seconds: 1, key: "a", write: false), Step(seconds: 1, key: "b", write: false),
                Step(seconds: 12, key: "b", write: true, suppressedBefore: 1),
            ]
        ),
        Case(
            label: "a burst below 1 is 1",
            burst: 0,
            window: 10,
            steps: [Step(seconds: 0, key: "a", write: true), Step(seconds: 1, key: "a", write: false)]
        ),
        Case(
            label: "a clock that goes back opens a new window",
            burst: 1,
            window: 10,
            steps: [
                Step(seconds: 5, key: "a", write: true), Step(seconds: 6, key: "a", write: false),
                Step(seconds: 1, key: "a", write: true, suppressedBefore: 1),
            ]
        ),
    ]

    @Test(arguments: cases)
    func admits(_ example: Case) {
        var limiter = LogRateLimiter(
            limits: .init(burst: example.burst, window: .milliseconds(Int(example.window * 1000)))
        )
        for (index, step) in example.steps.enumerated() {
            let admission = limiter.admit(step.key, at: .milliseconds(Int(step.seconds * 1000)))
            #expect(
                admission == Admission(write: step.write, suppressedBefore: step.suppressedBefore),
                "step \(index)"
            )
        }
    }

    @Test func expireReportsEndedWindowsWithSuppressedLinesOnceAndForgetsThem() {
        var limiter = LogRateLimiter(limits: .init(burst: 1, window: .seconds(10)))
        for second in 0..<5 { _ = limiter.admit("a", at: .seconds(second)) }
        _ = limiter.admit("b", at: .seconds(0))
        _ = limiter.admit("c", at: .seconds(8))
        _ = limiter.admit("c", at: .seconds(9))
        #expect(limiter.suppressed("a") == 4)
        #expect(limiter.expire(at: .seconds(9)).isEmpty)
        let ended = limiter.expire(at: .seconds(10))
        #expect(ended.map(\.key) == ["a"] && ended.map(\.suppressed) == [4])
        #expect(limiter.suppressed("a") == 0)
        #expect(limiter.expire(at: .seconds(30)).map(\.key) == ["c"])
        #expect(limiter.expire(at: .seconds(60)).isEmpty)
        // After expiry a key starts a fresh window with nothing to report.
        #expect(limiter.admit("a", at: .seconds(61)) == Admission(write: true, suppressedBefore: 0))
    }

    static let conditionCases: [([String: [String]], [String: [String]], [GroupedCondition.Change])] = [
        ([:], ["f": ["a", "b"]], [.appeared(group: "f", items: ["a", "b"])]),
        (["f": ["a", "b"]], ["f": ["b", "a"]], []),
        (["f": ["a", "b"]], ["f": ["a"]], [.changed(group: "f", items: ["a"])]),
        (["f": ["a"]], [:], [.cleared(group: "f")]),
        (["f": ["a"]], ["f": []], [.cleared(group: "f")]),
        ([:], ["f": []], []),
        (
            ["f": ["a"], "g": ["b"]], ["g": ["b"], "h": ["c"]],
            [.cleared(group: "f"), .appeared(group: "h", items: ["c"])]
        ),
    ]

    @Test(arguments: conditionCases)
    func groupedConditionChanges(
        _ before: [String: [String]],
        _ after: [String: [String]],
        _ expected: [GroupedCondition.Change]
    ) {
        var condition = GroupedCondition()
        _ = condition.update(before)
        #expect(condition.update(after) == expected)
        #expect(condition.update(after).isEmpty)
    }

    @Test func catalogWarningsSuppressAndSummarizeWithAManualClock() {
        let log = LogSink.capturing()
        let logger = Logger(label: "test") { _ in JSONLogHandler(level: .trace, sink: log) }
        let now = Mutex<Duration>(.zero)
        let warnings = CatalogWarnings(
            logger: logger,
            limits: .init(burst: 3, window: .seconds(60)),
            clock: { now.withLock { $0 } }
        )
        for index in 0..<100 { warnings.warning("flood", metadata: ["n": "\(index)"]) }
        warnings.flush()
        #expect(log.captured.filter { $0.contains(#""msg":"flood""#) }.count == 3)
        #expect(!log.captured.contains { $0.contains("log lines suppressed") })
        now.withLock { $0 = .seconds(61) }
        warnings.flush()
        let summaries = log.captured.filter { $0.contains("log lines suppressed") }
        #expect(summaries.count == 1)
        #expect(summaries.first?.contains(#""suppressed":97"#) == true)
        #expect(summaries.first?.contains(#""message":"flood""#) == true)

        // A list is one line with a count and the first few.
        warnings.several("many", (1...40).map { "w\($0)" })
        let many = log.captured.filter { $0.contains(#""msg":"many""#) }
        #expect(many.count == 1)
        #expect(many.first?.contains(#""count":40"#) == true)
        #expect(many.first?.contains(#""first":"w1, w2, w3, w4, w5, …""#) == true)
    }
}
