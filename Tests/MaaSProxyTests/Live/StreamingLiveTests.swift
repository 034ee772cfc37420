import Foundation
import Testing

/// SPEC 5.4 and 5.5 end to end: streams relayed as they come, clients and backends that leave,
/// slow readers, and the proxy's own timers.
@Suite(.serialized)
struct StreamingLiveTests {
    static let streamPath = "/llm/alpha/v1/chat/completions"

    /// Opens a streamed chat completion and returns the client after reading the head.
    static func openStream(_ fixture: ForwardingFixture, knobs: String) throws -> (RawHTTPClient, RawResponse) {
        let client = try RawHTTPClient(port: fixture.proxy.port)
        let body = ForwardingFixture.chat(model: "alpha-1", extra: #""stream":true,"# + knobs)
        try client.send(
            "POST \(streamPath) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer alice\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        )
        try client.send(body)
        return (client, try client.readHead())
    }

    @Test func serverSentEventsArriveAsTheyAreSent() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let (client, head) = try Self.openStream(fixture, knobs: #""n_chunks":5,"chunk_interval_ms":200"#)
        #expect(head.status == 200)
        #expect(head.header("Content-Type")?.hasPrefix("text/event-stream") == true)
        #expect(head.header("Transfer-Encoding") == "chunked")
        var arrivals: [ContinuousClock.Instant] = []
        var text = ""
        while let chunk = try client.readChunk() {
            arrivals.append(.now)
            text += String(decoding: chunk, as: UTF8.self)
        }
        #expect(text.hasSuffix("data: [DONE]\n\n"))
        #expect(text.components(separatedBy: "data: {").count - 1 == 5)
        // Events 200 ms apart at the backend arrive about 200 ms apart here (none held back).
        let gaps = zip(arrivals.dropFirst(), arrivals).map { ($0 - $1) / .milliseconds(1) }
        let eventGaps = gaps.filter { $0 > 50 }
        #expect(eventGaps.count >= 4, "gaps: \(gaps)")
        #expect(eventGaps.allSatisfy { $0 > 120 && $0 < 400 }, "gaps: \(gaps)")
    }

    /// docs/LIBEVENT.md: evhttp would frame this as `Content-Length: 0` on a kept-alive HTTP/1.0
    /// connection; the proxy closes the connection to delimit the stream instead.
    @Test func anHTTP10ClientGetsACloseDelimitedStream() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let client = try RawHTTPClient(port: fixture.proxy.port)
        let body = ForwardingFixture.chat(
            model: "alpha-1",
            extra: #""stream":true,"n_chunks":3,"chunk_interval_ms":50"#
        )
        try client.send(
            "POST \(Self.streamPath) HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
                + "Authorization: Bearer alice\r\nContent-Length: \(body.count)\r\n\r\n"
        )
        try client.send(body)
        let response = try client.readResponse(method: "POST")
        #expect(response.status == 200)
        #expect(response.header("Content-Length") == nil)
        #expect(response.header("Connection")?.lowercased() == "close")
        let text = response.bodyText
        #expect(text.components(separatedBy: "data: {").count - 1 == 3)
        #expect(text.hasSuffix("data: [DONE]\n\n"))
    }

    @Test func clientLeavingMidStreamClosesTheUpstreamWithinASecond() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let (client, head) = try Self.openStream(fixture, knobs: #""n_chunks":100,"chunk_interval_ms":300"#)
        #expect(head.status == 200)
        _ = try client.readChunk()
        client.closeNow()
        #expect(try eventually(timeout: .seconds(1)) { try fixture.backend.stats()["client_disconnects"] == 1 })
        #expect(eventually { fixture.proxy.process.output.contains { $0.contains(#""clientGone":true"#) } })
        // The proxy stays healthy and serves the next call.
        #expect(
            try fixture.post(Self.streamPath, token: "Bearer alice", body: ForwardingFixture.chat(model: "alpha-1"))
                .status
                == 200
        )
    }

    @Test func clientLeavingBeforeTheHeadClosesTheUpstreamWithinASecond() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let client = try RawHTTPClient(port: fixture.proxy.port)
        let body = ForwardingFixture.chat(model: "alpha-1", extra: #""delay_ms":5000"#)
        try client.send(
            "POST \(Self.streamPath) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer alice\r\n"
                + "Content-Length: \(body.count)\r\n\r\n"
        )
        try client.send(body)
        #expect(
            try eventually(timeout: .seconds(3)) {
                try fixture.backendRequests(endingWith: "/v1/chat/completions").count == 1
            }
        )
        client.closeNow()
        #expect(try eventually(timeout: .seconds(1)) { try fixture.backend.stats()["client_disconnects"] == 1 })
    }

    @Test func backendBreakingOffMidBodyCutsTheClientOff() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let (client, head) = try Self.openStream(
            fixture,
            knobs: #""n_chunks":10,"chunk_interval_ms":20,"abort_after_chunks":3"#
        )
        #expect(head.status == 200)
        var received = 0
        #expect(throws: RawHTTPError.self) {
            while try client.readChunk() != nil { received += 1 }
        }
        #expect(received >= 1)
        #expect(eventually { fixture.proxy.process.output.contains { $0.contains(#""aborted":true"#) } })
    }

    @Test func slowReaderOfALargeResponseKeepsTheProxyMemoryBounded() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let size = 64 * 1024 * 1024
        let before = try #require(residentBytes(of: fixture.proxy.process.pid))
        let client = try RawHTTPClient(port: fixture.proxy.port)
        let body = ForwardingFixture.chat(model: "alpha-1", extra: #""response_bytes":\#(size)"#)
        try client.send(
            "POST \(Self.streamPath) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer alice\r\n"
                + "Content-Length: \(body.count)\r\n\r\n"
        )
        try client.send(body)
        // The head comes as soon as the backend starts sending; then read nothing for a while.
        let head = try client.readHead()
        #expect(head.status == 200)
        Thread.sleep(forTimeInterval: 2)
        let stalled = try #require(residentBytes(of: fixture.proxy.process.pid))
        #expect(stalled - before < 24 * 1024 * 1024, "grew by \(stalled - before) bytes")
        let length = try #require(head.header("Content-Length").flatMap(Int.init))
        #expect(length > size)
        #expect(try client.readCount(length).count == length)
    }

    @Test func quietStreamWithinTheIdleTimeoutSurvivesAndALongerSilenceIsCutOff() throws {
        let fixture = try ForwardingFixture.start(configuration: "upstream:\n  idleTimeout: 1s\n")
        defer { fixture.cleanUp() }
        let (quiet, quietHead) = try Self.openStream(fixture, knobs: #""n_chunks":3,"chunk_interval_ms":600"#)
        #expect(quietHead.status == 200)
        var events = 0
        while try quiet.readChunk() != nil { events += 1 }
        #expect(events >= 3)

        let (silent, silentHead) = try Self.openStream(fixture, knobs: #""n_chunks":3,"chunk_interval_ms":2500"#)
        #expect(silentHead.status == 200)
        let started = ContinuousClock.now
        #expect(throws: RawHTTPError.self) {
            while try silent.readChunk() != nil {}
        }
        #expect(ContinuousClock.now - started < .seconds(2.4))
    }

    @Test func noHeadWithinTheResponseTimeoutIs504() throws {
        let fixture = try ForwardingFixture.start(configuration: "upstream:\n  responseTimeout: 1s\n")
        defer { fixture.cleanUp() }
        let started = ContinuousClock.now
        let response = try fixture.post(
            Self.streamPath,
            token: "Bearer alice",
            body: ForwardingFixture.chat(model: "alpha-1", extra: #""delay_ms":3000"#)
        )
        #expect(response.status == 504)
        #expect(response.errorCode == "upstream_timeout")
        #expect(ContinuousClock.now - started < .seconds(2.5))
    }

    @Test func sigtermLetsAStreamFinishThenExitsZero() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let (client, head) = try Self.openStream(fixture, knobs: #""n_chunks":5,"chunk_interval_ms":300"#)
        #expect(head.status == 200)
        fixture.proxy.process.signal(SIGTERM)
        var text = ""
        while let chunk = try client.readChunk() { text += String(decoding: chunk, as: UTF8.self) }
        #expect(text.hasSuffix("data: [DONE]\n\n"))
        #expect(fixture.proxy.process.waitForExit() == 0)
        #expect(throws: RawHTTPError.self) { _ = try RawHTTPClient(port: fixture.proxy.port) }
    }
}

/// VmRSS of a process, in bytes.
func residentBytes(of pid: pid_t) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
    else { return nil }
    return kilobytes * 1024
}
