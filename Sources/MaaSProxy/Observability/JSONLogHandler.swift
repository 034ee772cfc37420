import AccessCheck
import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line (SPEC 6 Logs).
///
/// Each line is `{"time":…,"level":…,"msg":…, <metadata keys>}` written with a single `write(2)`,
/// so lines from different threads never interleave.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    private let sink: LogSink
    private let level: LogLevelControl

    /// The level of every logger sharing `level`'s control; setting it changes them all (SIGHUP).
    var logLevel: Logger.Level {
        get { level.current }
        set { level.current = newValue }
    }

    init(level: LogLevelControl, sink: LogSink = .standardOutput) {
        self.level = level
        self.sink = sink
    }

    init(level: Logger.Level, sink: LogSink = .standardOutput) {
        self.init(level: LogLevelControl(level), sink: sink)
    }

    /// Installs the handler for every `Logger` in the process, all following `LogLevelControl.process`.
    static func bootstrap(level: Logger.Level) {
        LogLevelControl.process.current = level
        LoggingSystem.bootstrap { _ in JSONLogHandler(level: LogLevelControl.process) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var json = JSONWriter()
        json.object { line in
            line.field("time", LogTime.rfc3339Milliseconds(Date()))
            line.field("level", event.level.rawValue)
            line.field("msg", "\(event.message)")
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line.key(key)
                JSONLogHandler.write(value, into: &line)
            }
        }
        sink.write(json.bytes + [0x0A])
    }

    private static func write(_ value: Logger.MetadataValue, into json: inout JSONWriter) {
        switch value {
        case .string(let text): json.string(text)
        case .stringConvertible(let convertible as Int): json.number(Int64(convertible))
        case .stringConvertible(let convertible as Double): json.number(convertible)
        case .stringConvertible(let convertible): json.string(convertible.description)
        case .array(let values): json.array { array in for value in values { write(value, into: &array) } }
        case .dictionary(let values):
            json.object { object in
                for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                    object.key(key)
                    write(value, into: &object)
                }
            }
        }
    }
}

/// The log level, shared by every logger of the process so a reload can change it at once.
final class LogLevelControl: Sendable {
    static let process = LogLevelControl(.info)
    private let level: Mutex<Logger.Level>

    init(_ level: Logger.Level) { self.level = Mutex(level) }

    var current: Logger.Level {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }
}

/// Where log lines go: stdout in the product, a buffer in tests.
final class LogSink: Sendable {
    private let lines = Mutex<[[UInt8]]?>(nil)
    private let fd: Int32

    static let standardOutput = LogSink(fd: 1)

    private init(fd: Int32) { self.fd = fd }

    /// A sink that keeps lines in memory.
    static func capturing() -> LogSink {
        let sink = LogSink(fd: -1)
        sink.lines.withLock { $0 = [] }
        return sink
    }

    var captured: [String] { lines.withLock { ($0 ?? []).map { String(decoding: $0, as: UTF8.self) } } }

    func write(_ bytes: [UInt8]) {
        if fd < 0 {
            lines.withLock { $0?.append(bytes) }
            return
        }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Timestamps for log lines.
enum LogTime {
    /// `2026-11-28T23:46:05.123Z`, formatted by hand: `String(format:)` was a measurable share of
    /// every access line.
    static func rfc3339Milliseconds(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = [UInt8]()
        text.reserveCapacity(24)
        func digits(_ value: Int32, _ count: Int) {
            var divisor: Int32 = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4)
        text.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2)
        text.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2)
        text.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2)
        text.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2)
        text.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        text.append(UInt8(ascii: "."))
        digits(Int32(milliseconds % 1000), 3)
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }
}
