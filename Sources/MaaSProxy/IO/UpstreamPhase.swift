import AccessCheck

/// The bounds of one upstream call (SPEC 5.5: `upstream.connectTimeout`, `responseTimeout`,
/// `idleTimeout`; a probe adds the bound of its whole access check).
struct UpstreamDeadlines: Sendable, Equatable {
    var connect: Duration { didSet { nanoseconds.connect = connect.nanosecondsClamped } }
    /// From the request sent (the connection ready) to the response head.
    var response: Duration { didSet { nanoseconds.response = response.nanosecondsClamped } }
    /// Silence while the response body is read.
    var idle: Duration { didSet { nanoseconds.idle = idle.nanosecondsClamped } }
    /// From the call's start to its end, whatever the phase (probes); nil for none.
    var total: Duration? { didSet { nanoseconds.total = total?.nanosecondsClamped } }
    /// The bounds converted once: a phase's deadline is read on every step of every call.
    fileprivate private(set) var nanoseconds: (connect: UInt64, response: UInt64, idle: UInt64, total: UInt64?)

    init(connect: Duration, response: Duration, idle: Duration, total: Duration? = nil) {
        self.connect = connect
        self.response = response
        self.idle = idle
        self.total = total
        nanoseconds = (
            connect.nanosecondsClamped, response.nanosecondsClamped, idle.nanosecondsClamped,
            total?.nanosecondsClamped
        )
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.connect == rhs.connect && lhs.response == rhs.response && lhs.idle == rhs.idle && lhs.total == rhs.total
    }
}

/// Where one upstream call is, and when it must have done its next thing. Pure: the connection
/// asks it which deadline to arm and what an expired timer means (UpstreamPhaseTests).
enum UpstreamPhase: Equatable {
    /// No call: an idle pooled connection (or one not used yet).
    case idle
    /// Resolving and connecting (and the TLS handshake, which runs with the first write).
    case connecting(since: MonotonicInstant, started: MonotonicInstant)
    /// The request is written (or being written); no byte of the response yet.
    case awaitingHead(since: MonotonicInstant, started: MonotonicInstant)
    /// The head is in; the body is being read. `lastByte` moves with every read.
    case readingBody(lastByte: MonotonicInstant, started: MonotonicInstant)
    case closed

    enum Expiry: Equatable {
        case notYet
        /// No connection within `connect`.
        case connectTimedOut
        /// No response head within `response`.
        case responseTimedOut
        /// No body byte for `idle`.
        case idleTimedOut
        /// The call's whole bound passed.
        case totalTimedOut
    }

    func deadline(_ deadlines: UpstreamDeadlines) -> MonotonicInstant? {
        let bounds = deadlines.nanoseconds
        let phase: MonotonicInstant
        let started: MonotonicInstant
        switch self {
        case .idle, .closed:
            return nil
        case .connecting(let since, let start):
            phase = since.adding(nanoseconds: bounds.connect)
            started = start
        case .awaitingHead(let since, let start):
            phase = since.adding(nanoseconds: bounds.response)
            started = start
        case .readingBody(let lastByte, let start):
            phase = lastByte.adding(nanoseconds: bounds.idle)
            started = start
        }
        guard let total = bounds.total else { return phase }
        return min(phase, started.adding(nanoseconds: total))
    }

    func expiry(at now: MonotonicInstant, _ deadlines: UpstreamDeadlines) -> Expiry {
        guard let due = deadline(deadlines), now >= due else { return .notYet }
        if let total = deadlines.nanoseconds.total {
            switch self {
            case .connecting(_, let started), .awaitingHead(_, let started), .readingBody(_, let started):
                if now >= started.adding(nanoseconds: total) { return .totalTimedOut }
            case .idle, .closed:
                break
            }
        }
        switch self {
        case .connecting: return .connectTimedOut
        case .awaitingHead: return .responseTimedOut
        case .readingBody: return .idleTimedOut
        case .idle, .closed: return .notYet
        }
    }
}
