import AccessCheck
import HTTP1

/// What a client connection is doing, and when it must have done its next thing. Pure: the
/// connection asks it for the deadline to arm and what an expired timer means, so every timeout
/// of a connection is decided here and tested on a manual clock (ServerConnectionPhaseTests).
enum ServerConnectionPhase {
    /// Just accepted: the first request (a TLS handshake included) is timed from accept, and a
    /// connection that sends nothing is closed after `limits.requestReadTimeout`.
    case accepted(since: MonotonicInstant)
    /// Waiting for a request's head. `begun` once a byte of it came: from then on the request must
    /// be whole within `limits.requestReadTimeout` of `since`; before, the connection is idle.
    case awaitingHead(since: MonotonicInstant, begun: Bool)
    /// The head is in; the body is being read (it belongs to the same request deadline).
    case readingBody(head: RequestHead, decoder: BodyDecoder, body: [UInt8], since: MonotonicInstant)
    /// A handler has the request. While answer bytes are queued, the client must take some within
    /// the stall timeout of the last progress.
    case exchanging(lastProgress: MonotonicInstant)
    /// The last answer is queued; the connection closes once it is written.
    case closingAfterFlush(since: MonotonicInstant)
    /// Our side is shut; what the client still sends is read and dropped until it closes or `until`.
    case lingering(until: MonotonicInstant)
    case closed

    /// How long a closing connection keeps reading so that its last answer is not reset away.
    static let lingerTime = Duration.seconds(2)

    /// What an expired timer means.
    enum Expiry: Equatable {
        case notYet
        /// Idle, or done: close without a word (an unasked-for answer could be taken for the answer
        /// to a request the client sends at that moment).
        case closeSilently
        /// A request began and did not arrive whole in time: answer 408 and close.
        case requestTimedOut
        /// The client stopped reading its answer.
        case stalled
    }

    var isClosed: Bool {
        if case .closed = self { return true }
        return false
    }

    var isLingering: Bool {
        if case .lingering = self { return true }
        return false
    }

    var isClosingAfterFlush: Bool {
        if case .closingAfterFlush = self { return true }
        return false
    }

    /// When the timer must fire next; nil when nothing is timed.
    func deadline(limits: HTTPServerLimits, queuedBytes: Int) -> MonotonicInstant? {
        switch self {
        case .accepted(let since): since.adding(nanoseconds: limits.requestReadTimeoutNanoseconds)
        case .awaitingHead(let since, begun: false): since.adding(nanoseconds: limits.connectionTimeoutNanoseconds)
        case .awaitingHead(let since, begun: true): since.adding(nanoseconds: limits.requestReadTimeoutNanoseconds)
        case .readingBody(_, _, _, let since): since.adding(nanoseconds: limits.requestReadTimeoutNanoseconds)
        case .exchanging(let lastProgress):
            queuedBytes > 0 ? lastProgress.adding(nanoseconds: limits.connectionTimeoutNanoseconds) : nil
        case .closingAfterFlush(let since): since.adding(nanoseconds: limits.connectionTimeoutNanoseconds)
        case .lingering(let until): until
        case .closed: nil
        }
    }

    /// The deadline once answer bytes still waiting to be written are counted: while some are
    /// queued, the only bound is the client taking them (the stall timeout from `lastWrite`), and
    /// no request clock or idle timeout runs (an answer is being written, not awaited).
    func deadline(limits: HTTPServerLimits, queuedBytes: Int, lastWrite: MonotonicInstant) -> MonotonicInstant? {
        switch self {
        case .lingering, .closed: return deadline(limits: limits, queuedBytes: queuedBytes)
        default:
            return queuedBytes > 0
                ? lastWrite.adding(nanoseconds: limits.connectionTimeoutNanoseconds)
                : deadline(limits: limits, queuedBytes: 0)
        }
    }

    /// `expiry(at:limits:queuedBytes:)` with queued answer bytes counted as in
    /// `deadline(limits:queuedBytes:lastWrite:)`.
    func expiry(
        at now: MonotonicInstant,
        limits: HTTPServerLimits,
        queuedBytes: Int,
        lastWrite: MonotonicInstant
    ) -> Expiry {
        switch self {
        case .lingering, .closed:
            return expiry(at: now, limits: limits, queuedBytes: queuedBytes)
        default:
            guard queuedBytes > 0 else { return expiry(at: now, limits: limits, queuedBytes: 0) }
            return now >= lastWrite.adding(nanoseconds: limits.connectionTimeoutNanoseconds) ? .stalled : .notYet
        }
    }

    func expiry(at now: MonotonicInstant, limits: HTTPServerLimits, queuedBytes: Int) -> Expiry {
        guard let due = deadline(limits: limits, queuedBytes: queuedBytes), now >= due else { return .notYet }
        switch self {
        case .accepted, .awaitingHead(_, begun: false), .closingAfterFlush, .lingering, .closed: return .closeSilently
        case .awaitingHead(_, begun: true), .readingBody: return .requestTimedOut
        case .exchanging: return .stalled
        }
    }
}
