import Foundation
import Logging
import Testing

@testable import MaaSProxy

@Suite struct JSONLogTests {
    @Test func eachEventIsOneParseableLineWithMetadata() throws {
        let sink = LogSink.capturing()
        var logger = Logger(label: "t") { _ in JSONLogHandler(level: .info, sink: sink) }
        logger[metadataKey: "worker"] = "w1"
        logger.info("hello \"world\"\nsecond line", metadata: ["count": "3", "list": ["a", "b"]])
        logger.debug("filtered out")
        #expect(sink.captured.count == 1)
        let line = try #require(sink.captured.first)
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "hello \"world\"\nsecond line")
        #expect(object["level"] as? String == "info")
        #expect(object["worker"] as? String == "w1")
        #expect(object["count"] as? String == "3")
        #expect(object["list"] as? [String] == ["a", "b"])
        let time = try #require(object["time"] as? String)
        #expect(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil)
    }

    @Test(arguments: [
        (1_764_373_565.123, "2025-11-28T23:46:05.123Z"),
        (0.0, "1970-01-01T00:00:00.000Z"),
        (951_782_399.999, "2000-02-28T23:59:59.999Z"),
    ])
    func timestampsAreRFC3339WithMilliseconds(seconds: Double, expected: String) {
        #expect(LogTime.rfc3339Milliseconds(Date(timeIntervalSince1970: seconds)) == expected)
    }
}
