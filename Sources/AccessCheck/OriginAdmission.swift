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
