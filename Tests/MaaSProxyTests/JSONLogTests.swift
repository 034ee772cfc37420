import Foundation
import Logging
import Synchronization
import Testing

@testable import MaaSProxy

@Suite struct JSONLogTests {
    static func logger(level: Logger.Level = .info, sink: LogSink) -> Logger {
        Logger(label: "t") { _ in JSONLogHandler(level: level, sink: sink) }
    }

    static func parse(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func eachEventIsOneParseableLineWithMetadata() throws {
        let sink = LogSink.capturing()
        var logger = Self.logger(sink: sink)
        logger[metadataKey: "worker"] = "w1"
        logger.info("hello \"world\"\nsecond line", metadata: ["count": "3", "list": ["a", "b"]])
        #expect(sink.captured.count == 1)
        let line = try #require(sink.captured.first)
        #expect(line.hasSuffix("\n"))
        #expect(!line.dropLast().contains("\n"))
        #expect(line.hasPrefix(#"{"time":""#))
        let object = try Self.parse(line)
        #expect(object["msg"] as? String == "hello \"world\"\nsecond line")
        #expect(object["level"] as? String == "info")
        #expect(object["worker"] as? String == "w1")
        #expect(object["count"] as? String == "3")
        #expect(object["list"] as? [String] == ["a", "b"])
        #expect(object["label"] == nil)
        let time = try #require(object["time"] as? String)
        #expect(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil)
    }

    @Test(arguments: [
        "plain", "quote \" and backslash \\", "controls \u{0}\u{1}\u{8}\u{C}\u{1B}\u{1F}\u{7F}", "tab\tcr\rlf\n",
        "unicode é 日本 🚀 \u{2028}\u{2029}", "</script>", "",
    ])
    func stringsSurviveTheRoundTrip(text: String) throws {
        let sink = LogSink.capturing()
        Self.logger(sink: sink).info("\(text)", metadata: [text.isEmpty ? "empty" : text: .string(text)])
        let line = try #require(sink.captured.first)
        #expect(line.utf8.allSatisfy { $0 >= 0x20 || $0 == 0x0A })  // raw control bytes never reach the stream
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try Self.parse(line)
        #expect(object["msg"] as? String == text)
        #expect(object[text.isEmpty ? "empty" : text] as? String == text)
    }

    @Test func metadataValuesKeepTheirJSONTypes() throws {
        struct Failure: Error, CustomStringConvertible { var description: String { "disk full" } }
        let sink = LogSink.capturing()
        Self.logger(sink: sink).error(
            "m",
            error: Failure(),
            metadata: [
                "int": .stringConvertible(42), "negative": .stringConvertible(Int32(-7)),
                "huge": .stringConvertible(UInt64.max), "double": .stringConvertible(1.5),
                "nan": .stringConvertible(Double.nan), "flag": .stringConvertible(true),
                "nested": ["inner": ["x", .stringConvertible(1)], "empty": [:]],
                "msg": "not the message", "time": "not the time",
            ]
        )
        let object = try Self.parse(try #require(sink.captured.first))
        #expect(object["msg"] as? String == "m")
        #expect(object["meta.msg"] as? String == "not the message")
        #expect(object["meta.time"] as? String == "not the time")
        #expect((object["int"] as? NSNumber)?.intValue == 42)
        #expect((object["negative"] as? NSNumber)?.intValue == -7)
        #expect(object["huge"] as? String == "18446744073709551615")
        #expect((object["double"] as? NSNumber)?.doubleValue == 1.5)
        #expect(object["nan"] as? String == "nan")
        #expect(object["flag"] as? Bool == true)
        #expect(object["error"] as? String == "disk full")
        let nested = try #require(object["nested"] as? [String: Any])
        #expect((nested["empty"] as? [String: Any])?.isEmpty == true)
        let inner = try #require(nested["inner"] as? [Any])
        #expect(inner.first as? String == "x")
        #expect((inner.last as? NSNumber)?.intValue == 1)
    }

    @Test func metadataLayersAndKeyOrderAreStable() throws {
        let sink = LogSink.capturing()
        var logger = Logger(label: "t") { _ in
            JSONLogHandler(
                level: LogLevelControl(.info),
                sink: sink,
                metadataProvider: Logger.MetadataProvider { ["provided": "p", "shared": "provider"] }
            )
        }
        logger[metadataKey: "shared"] = "handler"
        logger[metadataKey: "zeta"] = "z"
        logger.info("m", metadata: ["alpha": "a"])
        logger.info("m", metadata: ["shared": "event"])
        let first = try #require(sink.captured.first)
        #expect(first.hasSuffix(#""msg":"m","alpha":"a","provided":"p","shared":"provider","zeta":"z"}"# + "\n"))
        #expect(try Self.parse(sink.captured[1])["shared"] as? String == "event")
    }

    @Test func levelsBelowTheConfiguredOneAreDroppedAndTheLevelIsShared() throws {
        let sink = LogSink.capturing()
        let control = LogLevelControl(.warning)
        var first = Logger(label: "a") { _ in JSONLogHandler(level: control, sink: sink) }
        let second = Logger(label: "b") { _ in JSONLogHandler(level: control, sink: sink) }
        first.info("dropped")
        first.debug("dropped")
        first.warning("kept 1")
        second.critical("kept 2")
        #expect(try sink.captured.map { try Self.parse($0)["msg"] as? String } == ["kept 1", "kept 2"])
        #expect(try sink.captured.map { try Self.parse($0)["level"] as? String } == ["warning", "critical"])

        // A reload sets the level once for every logger that shares the control.
        first.logLevel = .debug
        second.debug("now kept")
        #expect(sink.captured.count == 3)
        #expect(second.logLevel == .debug)
    }

    @Test(arguments: ["Authorization", "proxy-authorization", "COOKIE", "Set-Cookie", "x-api-key"])
    func sensitiveHeadersAreOnlyPresentOrAbsent(name: String) {
        let secret = "Bearer sk-live-0123456789abcdef"
        #expect(SensitiveHeader.redact(name: name, value: secret) == "present")
        #expect(SensitiveHeader.redact(name: name, value: "  ") == "absent")
        #expect(SensitiveHeader.redact(name: name, value: nil) == "absent")
        for value in [secret, "x", "a much longer value than the other one"] {
            let shown = SensitiveHeader.redact(name: name, value: value)
            #expect(!shown.contains(value) && !shown.contains(String(value.count)))
        }
    }

    @Test func otherHeadersAreShownAsTheyAre() {
        #expect(SensitiveHeader.redact(name: "Content-Type", value: "application/json") == "application/json")
        #expect(SensitiveHeader.redact(name: "X-Request-Id", value: nil) == "")
    }

    @Test func credentialMetadataIsRedactedAtAnyDepth() throws {
        let sink = LogSink.capturing()
        let secret = "Bearer sk-live-0123456789abcdef"
        Self.logger(sink: sink).warning(
            "m",
            metadata: [
                "Authorization": .string(secret), "cookie": "",
                "headers": ["X-Api-Key": .string(secret), "Accept": "application/json"],
            ]
        )
        let line = try #require(sink.captured.first)
        #expect(!line.contains("sk-live"))
        let object = try Self.parse(line)
        #expect(object["Authorization"] as? String == "present")
        #expect(object["cookie"] as? String == "absent")
        let headers = try #require(object["headers"] as? [String: String])
        #expect(headers == ["X-Api-Key": "present", "Accept": "application/json"])
    }

    @Test func concurrentLinesNeverInterleave() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString)").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(path)
        }
        let sink = LogSink(fileDescriptor: fd)
        let logger = Self.logger(sink: sink)
        // Lines longer than PIPE_BUF, which the kernel may accept in parts.
        let padding = String(repeating: "p", count: 10_000)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<25 {
                logger.info(
                    "line",
                    metadata: ["thread": "\(thread)", "index": "\(index)", "padding": .string(padding)]
                )
            }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 200)
        #expect(text.hasSuffix("\n"))
        let keys = try lines.map { line -> String in
            let object = try Self.parse(String(line))
            #expect(object["padding"] as? String == padding)
            return "\(object["thread"] ?? "")-\(object["index"] ?? "")"
        }
        #expect(Set(keys).count == 200)
    }

    @Test func anInjectedWriterGetsOneCallPerLine() throws {
        final class Calls: Sendable { let lines = Mutex<[[UInt8]]>([]) }
        let calls = Calls()
        let sink = LogSink { line in calls.lines.withLock { $0.append(line) } }
        Self.logger(sink: sink).notice("first")
        Self.logger(sink: sink).notice("second")
        let lines = calls.lines.withLock { $0 }
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.last == 0x0A && $0.dropLast().allSatisfy { $0 != 0x0A } })
    }

    @Test(arguments: [
        (1_764_373_565.123, "2025-11-28T23:46:05.123Z"),
        (0.0, "1970-01-01T00:00:00.000Z"),
        (951_782_399.999, "2000-02-28T23:59:59.999Z"),
        (1_709_164_800.5, "2024-02-29T00:00:00.500Z"),
    ])
    func timestampsAreRFC3339WithMilliseconds(seconds: Double, expected: String) {
        #expect(LogTime.rfc3339Milliseconds(Date(timeIntervalSince1970: seconds)) == expected)
    }
}
