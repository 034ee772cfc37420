import AccessCheck

/// The bounds of one upstream call (SPEC 5.5: `upstream.connectTimeout`, `responseTimeout`,
/// `idleTimeout`; a probe adds the bound of its whole access check).
struct UpstreamDeadlines: Sendable, Equatable {
    var connect: Duration
    /// From the request sent (the connection ready) to the response head.
    var response: Duration
    /// Silence while the response body is read.
    var idle: Duration
    /// From the call's start to its end, whatever the phase (probes); nil for none.
    var total: Duration?
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
        let phase: MonotonicInstant?
        let started: MonotonicInstant?
        switch self {
        case .idle, .closed:
            return nil
        case .connecting(let since, let start):
            phase = since + deadlines.connect
            started = start
        case .awaitingHead(let since, let start):
            phase = since + deadlines.response
            started = start
        case .readingBody(let lastByte, let start):
            phase = lastByte + deadlines.idle
            started = start
        }
        guard let total = deadlines.total, let started else { return phase }
        return min(phase ?? started + total, started + total)
    }

    func expiry(at now: MonotonicInstant, _ deadlines: UpstreamDeadlines) -> Expiry {
        guard let due = deadline(deadlines), now >= due else { return .notYet }
        if let total = deadlines.total {
            switch self {
            case .connecting(_, let started), .awaitingHead(_, let started), .readingBody(_, let started):
                if now >= started + total { return .totalTimedOut }
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
