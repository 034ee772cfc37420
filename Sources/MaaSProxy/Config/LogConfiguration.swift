import Logging

/// Logging settings (`log.*`, SPEC 6).
struct LogConfiguration: Sendable, Equatable {
    /// Events below this level are dropped (`log.level`, `--log-level`).
    var level: Logger.Level = .info
}
