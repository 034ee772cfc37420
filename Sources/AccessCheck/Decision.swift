import Routing

/// The probe outcome for one (credential, subscription, model) (SPEC 4).
public struct Decision: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// Visible: the served ids (backend order), or none when the probe was a 405.
        case granted(served: [ServedModel], via405: Bool)
        /// A definite no; `status` is the backend's (401 tells admission to answer `invalid_credentials`).
        case denied(status: Int?)
        /// No definite answer within the attempts or the deadline (treated as denied).
        case unavailable(reason: String)

        /// `granted`, `denied` or `unavailable`.
        public var name: String {
            switch self {
            case .granted: "granted"
            case .denied: "denied"
            case .unavailable: "unavailable"
            }
        }
    }

    public var outcome: Outcome
    /// When the decision was made, seconds since 1970 (`X-Access-Checked-At`, SPEC 3.5).
    public var decidedAtWall: Double
    /// After this the decision is a miss.
    public var expiresAt: MonotonicInstant

    public init(outcome: Outcome, decidedAtWall: Double, expiresAt: MonotonicInstant) {
        self.outcome = outcome
        self.decidedAtWall = decidedAtWall
        self.expiresAt = expiresAt
    }

    /// SPEC 2: a kind without a probe (ExternalModel) is visible iff Ready, decided on the spot and
    /// never cached (it expires at once).
    public static func withoutProbe(_ candidate: Candidate, at scheduler: any LoopScheduler) -> Decision {
        Decision(
            outcome: candidate.isReady ? .granted(served: [], via405: false) : .denied(status: nil),
            decidedAtWall: scheduler.wallClockSeconds,
            expiresAt: scheduler.now
        )
    }

    public var isGranted: Bool {
        if case .granted = outcome { return true }
        return false
    }

    /// A short word for logs and metrics: `granted`, `denied`, `unavailable`.
    public var outcomeName: String { outcome.name }
}
