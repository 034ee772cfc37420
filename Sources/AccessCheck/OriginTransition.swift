/// A change of an origin's health, for logs and metrics.
public enum OriginTransition: Hashable, Sendable {
    /// Marked down after a connect failure or timeout, a TLS failure, a reset before a status or
    /// no answer before a check's deadline. `interval` is how long until the first trial.
    case wentDown(interval: Duration, reason: String)
    /// A request received a status after it was down for `downFor`.
    case cameUp(downFor: Duration)
}
