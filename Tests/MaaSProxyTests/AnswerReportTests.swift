import AccessCheck
import Testing

@testable import MaaSProxy

/// A forwarded call's answer reaches backend health at most every 100 ms per connection while no
/// origin is down, and always while one is (docs/health.md; SPEC 3.2).
@Suite struct AnswerReportTests {
    let origin = UpstreamOrigin(scheme: "http", host: "127.0.0.1", port: 9)

    @Test func anAnswerMarksTheOriginAnsweringAndOneSoonAfterIsNotRecordedAgain() throws {
        let loop = try EventLoop(name: "answer-report")
        let health = OriginHealth(random: { 0 })
        let pool = UpstreamConnectionPool(loop: loop, tls: nil, health: health)
        let connection = UpstreamConnection(origin: origin, loop: loop, tls: nil)
        #expect(health.standing(of: origin, now: loop.now) == .unknown)
        pool.reportAnswered(on: connection)
        let first = try #require(connection.lastAnswerReported)
        #expect(health.standing(of: origin, now: loop.now) == .answering)
        // A probe sent after that answer; a second answer within the interval is not recorded, so
        // the probe's timeout finds nothing answered since it was sent and the origin goes down.
        let sentAt = first.adding(nanoseconds: 1)
        pool.reportAnswered(on: connection)
        let now = loop.now
        guard now < first.adding(nanoseconds: UpstreamConnectionPool.answerReportInterval) else { return }
        #expect(connection.lastAnswerReported == first)
        health.unanswered(origin, sentAt: sentAt, now: now)
        #expect(health.standing(of: origin, now: now) == .down)
    }

    @Test func whileAnOriginIsDownEveryAnswerIsRecorded() throws {
        let loop = try EventLoop(name: "answer-report")
        let health = OriginHealth(random: { 0 })
        let pool = UpstreamConnectionPool(loop: loop, tls: nil, health: health)
        let connection = UpstreamConnection(origin: origin, loop: loop, tls: nil)
        pool.reportAnswered(on: connection)
        health.unreachable(origin, sentAt: loop.now, now: loop.now, reason: "test")
        #expect(health.anyDown)
        // At once, within the interval: an origin coming back is seen at its first answer.
        pool.reportAnswered(on: connection)
        #expect(!health.anyDown)
        #expect(health.standing(of: origin, now: loop.now) == .answering)
    }
}
