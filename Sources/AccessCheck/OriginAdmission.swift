/// May a request go to an origin now (SPEC 3.2)?
public enum OriginAdmission: Hashable, Sendable {
    /// Up or not known to be down: send.
    case send
    /// Down, and its interval has passed: this request is the one trial (half-open). Its answer
    /// marks the origin up; its failure keeps it down for a longer interval.
    case trial
    /// Down: answer at once without network traffic (a probe is unavailable, a forwarded call
    /// `502 upstream_unavailable`). `until` is the earliest instant a trial may go.
    case refuse(until: MonotonicInstant)
}

/// What the registry knows of an origin, without taking anything (probe ordering, SPEC 3.2).
public enum OriginStanding: Hashable, Sendable {
    /// It answered (any HTTP status) and has not failed since.
    case answering
    /// Never seen, or forgotten: no reason to hold back.
    case unknown
    /// Down, and a trial may go now (or one is out).
    case trialDue
    /// Down, inside its interval.
    case down

    /// Up or unknown: probed first, in parallel.
    public var isUp: Bool { self == .answering || self == .unknown }
}

/// A change of an origin's health, for logs and metrics.
public enum OriginTransition: Hashable, Sendable {
    /// Marked down after a connect failure or timeout, a TLS failure, a reset before a status or
    /// no answer before a check's deadline. `interval` is how long until the first trial.
    case wentDown(interval: Duration, reason: String)
    /// A request received a status after it was down for `downFor`.
    case cameUp(downFor: Duration)
}
