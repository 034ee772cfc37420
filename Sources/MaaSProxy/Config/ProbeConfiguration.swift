/// Limits of one caller's access check (`probe.*`, SPEC 3.2).
struct ProbeConfiguration: Sendable, Equatable {
    /// Bound on all probes of one request (`probe.deadline`, `--probe-deadline`); at least 1 s.
    var deadline: Duration = .seconds(15)
    /// Probes in flight for one access check (`probe.concurrency`); at least 1.
    var concurrency = 10

    static let minimumDeadline: Duration = .seconds(1)
}
