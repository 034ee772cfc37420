import Logging
import Synchronization

/// The log level shared by every logger of the process, so a reload (SIGHUP, `log.level`) changes
/// it for all of them at once. Thread-safe.
final class LogLevelControl: Sendable {
    /// The process-wide level that `JSONLogHandler.bootstrap(level:)` and the access log follow.
    static let process = LogLevelControl(.info)
    private let level: Mutex<Logger.Level>

    init(_ level: Logger.Level) { self.level = Mutex(level) }

    var current: Logger.Level {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }
}
