import HTTP1
import Testing

@testable import MaaSProxy

/// The streamed request body between the client connection and the relay (SPEC 5.3), without
/// sockets: what the consumer gets, in what order, and when the connection must stop reading.
@Suite struct RequestBodyStreamTests {
    /// Records what a consumer is handed.
    final class Sink {
        var bytes: [UInt8] = []
        var ended = 0
        var failed = 0

        func take(_ event: RequestBodyStream.Event) {
            switch event {
            case .data(let data): bytes.append(contentsOf: data.assumingMemoryBound(to: UInt8.self))
            case .end: ended += 1
            case .failed: failed += 1
            }
        }
    }

    static func deliver(_ stream: RequestBodyStream, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { stream.deliver($0) }
    }

    @Test(arguments: [(BodyFraming.length(10), RequestBodyStream.Framing.length(10)), (.chunked, .chunked)])
    func framingFollowsTheClients(_ framing: BodyFraming, _ expected: RequestBodyStream.Framing) {
        #expect(RequestBodyStream(framing: framing).framing == expected)
    }

    @Test func bytesBeforeTheConsumerStartsAreHeldUpToTheBoundThenTheConnectionStopsReading() {
        let stream = RequestBodyStream(framing: .chunked)
        let piece = [UInt8](repeating: 7, count: 64 * 1024)
        for _ in 0..<3 { Self.deliver(stream, piece) }
        #expect(stream.wantsMore)
        Self.deliver(stream, piece)
        #expect(!stream.wantsMore)
        #expect(stream.received == 4 * piece.count)
        var woken = 0
        stream.onWantsMore = { woken += 1 }
        let sink = Sink()
        stream.start(sink.take)
        #expect(sink.bytes.count == 4 * piece.count)
        #expect(stream.wantsMore)
        #expect(woken == 1)
        #expect(sink.ended == 0)
    }

    @Test func theEndComesAfterEveryByteInOrder() {
        let stream = RequestBodyStream(framing: .length(6))
        Self.deliver(stream, [1, 2, 3])
        let sink = Sink()
        stream.start(sink.take)
        Self.deliver(stream, [4, 5, 6])
        #expect(sink.ended == 0)
        stream.finish()
        #expect(sink.bytes == [1, 2, 3, 4, 5, 6])
        #expect(sink.ended == 1)
        #expect(stream.isComplete && !stream.wantsMore)
        // Nothing after the end.
        Self.deliver(stream, [9])
        stream.finish()
        #expect(sink.bytes.count == 6 && sink.ended == 1)
    }

    @Test func aPausedConsumerGetsNothingUntilItResumesAndTheEndWaitsForTheBytes() {
        let stream = RequestBodyStream(framing: .chunked)
        let sink = Sink()
        stream.start(sink.take)
        stream.pause()
        Self.deliver(stream, [1, 2])
        stream.finish()
        #expect(sink.bytes.isEmpty && sink.ended == 0)
        stream.resume()
        #expect(sink.bytes == [1, 2])
        #expect(sink.ended == 1)
    }

    @Test func aPausedConsumerStopsTheConnectionAtTheBoundAndResumingWakesIt() {
        let stream = RequestBodyStream(framing: .chunked)
        let sink = Sink()
        stream.start(sink.take)
        stream.pause()
        Self.deliver(stream, [UInt8](repeating: 1, count: RequestBodyStream.maxPendingBytes))
        #expect(!stream.wantsMore)
        var woken = 0
        stream.onWantsMore = { woken += 1 }
        stream.resume()
        #expect(woken == 1)
        #expect(sink.bytes.count == RequestBodyStream.maxPendingBytes)
    }

    @Test func aFailureReachesTheConsumerOnceAndDropsWhatWasHeld() {
        let stream = RequestBodyStream(framing: .chunked)
        let sink = Sink()
        stream.start(sink.take)
        stream.pause()
        Self.deliver(stream, [1, 2, 3])
        stream.fail()
        stream.fail()
        stream.resume()
        #expect(sink.failed == 1)
        #expect(sink.bytes.isEmpty)
        #expect(stream.hasFailed && !stream.wantsMore)
        // A consumer that starts after the failure hears of it at once.
        let late = Sink()
        let failed = RequestBodyStream(framing: .chunked)
        failed.fail()
        failed.start(late.take)
        #expect(late.failed == 1)
    }

    @Test func startingAsksForTheBodyOnce() {
        let stream = RequestBodyStream(framing: .length(1))
        var asked = 0
        stream.onStart = { asked += 1 }
        let sink = Sink()
        stream.start(sink.take)
        stream.start(sink.take)
        #expect(asked == 1)
    }

    @Test(arguments: [(10, [UInt8]?.some(Array(0..<10))), (9, nil)])
    func collectingReadsTheWholeBodyUpToTheLimit(limit: Int, expected: [UInt8]?) {
        let stream = RequestBodyStream(framing: .length(10))
        Self.deliver(stream, Array(0..<4))
        var result: [UInt8]?? = .none
        stream.collect(limit: limit) { result = .some($0) }
        Self.deliver(stream, Array(4..<10))
        stream.finish()
        #expect(result == .some(expected))
        if expected == nil { #expect(stream.hasFailed) }
    }
}
