import AccessCheck
import Foundation
import Logging

/// A swift-log handler writing one JSON object per line (SPEC 6 Logs).
///
/// A line is `{"time":"2026-11-28T23:46:05.123Z","level":"info","msg":"…", <metadata>}`: `time`
/// is RFC 3339 UTC with milliseconds, `level` swift-log's name for it. Metadata follows as
/// top-level keys in name order — the handler's, then the metadata provider's, then the event's,
/// later ones winning; an event's `error` becomes `"error"` unless metadata has that key. Values:
/// strings as strings; integers, finite floating-point numbers and booleans passed as
/// `.stringConvertible` as JSON numbers and booleans (anything else as its description); arrays
/// and dictionaries as JSON arrays and objects. A metadata key that would repeat `time`, `level` or
/// `msg` is written as `meta.<key>`. A key naming a credential header (`SensitiveHeader`), at any
/// depth, is written as `present` or `absent`, never its value.
///
/// The level lives in a shared `LogLevelControl`: setting `logLevel` on any logger changes it for
/// every logger that shares the control (that is how SIGHUP applies `log.level`). Lines go to a
/// `LogSink`, which writes each one whole, so lines from different threads never interleave.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let sink: LogSink
    private let level: LogLevelControl

    /// The keys every line starts with.
    static let reservedKeys: Set<String> = ["time", "level", "msg"]

    /// The level of every logger sharing this handler's control.
    var logLevel: Logger.Level {
        get { level.current }
        set { level.current = newValue }
    }

    init(level: LogLevelControl, sink: LogSink = .standardOutput, metadataProvider: Logger.MetadataProvider? = nil) {
        self.level = level
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    /// A handler with a level of its own (tests, tools).
    init(level: Logger.Level, sink: LogSink = .standardOutput) {
        self.init(level: LogLevelControl(level), sink: sink)
    }

    /// Installs the handler for every `Logger` of the process, writing to stdout at
    /// `LogLevelControl.process`, which is set to `level`. Call once, before the first `Logger` is
    /// made (swift-log allows one bootstrap per process).
    static func bootstrap(level: Logger.Level) {
        LogLevelControl.process.current = level
        LoggingSystem.bootstrap { _ in JSONLogHandler(level: LogLevelControl.process) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = .string("\(error)") }
        sink.write(
            Self.line(time: Date(), level: event.level, message: "\(event.message)", metadata: merged)
        )
    }

    /// One log line, newline included.
    static func line(time: Date, level: Logger.Level, message: String, metadata: Logger.Metadata) -> [UInt8] {
        var json = JSONWriter()
        json.object { line in
            line.field("time", LogTime.rfc3339Milliseconds(time))
            line.field("level", level.rawValue)
            line.field("msg", message)
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                line.key(reservedKeys.contains(key) ? "meta.\(key)" : key)
                write(value, key: key, into: &line)
            }
        }
        return json.bytes + [0x0A]
    }

    /// Writes `value`, found under `key`, redacted when `key` names a credential header.
    private static func write(_ value: Logger.MetadataValue, key: String?, into json: inout JSONWriter) {
        if let key, SensitiveHeader.isSensitive(key) {
            json.string(SensitiveHeader.presence(Self.presenceText(value)))
            return
        }
        switch value {
        case .string(let text):
            json.string(text)
        case .stringConvertible(let convertible):
            writeConvertible(convertible, into: &json)
        case .array(let values):
            json.array { array in for element in values { write(element, key: nil, into: &array) } }
        case .dictionary(let values):
            json.object { object in
                for (key, element) in values.sorted(by: { $0.key < $1.key }) {
                    object.key(key)
                    write(element, key: key, into: &object)
                }
            }
        }
    }

    private static func writeConvertible(_ value: any CustomStringConvertible & Sendable, into json: inout JSONWriter) {
        switch value {
        case let flag as Bool:
            json.bool(flag)
        case let integer as any BinaryInteger:
            if let exact = Int64(exactly: integer) { json.number(exact) } else { json.string(value.description) }
        case let number as any BinaryFloatingPoint:
            let double = Double(number)
            // JSON has no spelling for NaN or infinities: keep them readable as strings.
            if double.isFinite { json.number(double) } else { json.string(value.description) }
        default:
            json.string(value.description)
        }
    }

    /// Enough of a sensitive value to tell `present` from `absent`; never written.
    private static func presenceText(_ value: Logger.MetadataValue) -> String? {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.isEmpty ? nil : "x"
        case .dictionary(let values): values.isEmpty ? nil : "x"
        }
    }
}
