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
