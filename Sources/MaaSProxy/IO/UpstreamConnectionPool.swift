import AccessCheck
import Routing

/// Where upstream connections go: scheme, host and port of an endpoint (also what backend health
/// is kept by, SPEC 3.2).
typealias UpstreamOrigin = BackendOrigin

/// Keep-alive upstream connections per origin, owned by one `EventLoop`.
///
/// A connection carries one request at a time (no pipelining upstream), so the pool hands out an
/// idle connection or a new one, and takes it back when the request ends.
final class UpstreamConnectionPool {
    let loop: EventLoop
    private let tls: UpstreamTLSContext?
    private let maxIdlePerOrigin: Int
    /// Idle connections older than this are closed instead of reused: servers close idle
    /// keep-alive connections after a few seconds (uvicorn, which serves vLLM: 5 s), and a request
    /// sent as that close crosses it fails (docs/LIBEVENT.md). Only body-less requests can be retried.
    private let idleRetirement: Duration
    private var idle: [UpstreamOrigin: IdleConnections] = [:]
    /// The list used last: a worker mostly forwards to one origin, and comparing it costs less than
    /// hashing it into `idle` twice a call (issue 10).
    private var lastUsed: IdleConnections?
    /// Backend health shared by every worker (SPEC 3.2): the calls made through this pool report
    /// how they ended to it. Nil for pools that are not the proxy's (the Kubernetes source, explain).
    let health: OriginHealth?

    /// - Parameter tls: the client TLS context for `https` origins; nil refuses them.
    init(
        loop: EventLoop,
        tls: UpstreamTLSContext?,
        health: OriginHealth? = nil,
        maxIdlePerOrigin: Int = 64,
        idleRetirement: Duration = .seconds(4)
    ) {
        self.loop = loop
        self.tls = tls
        self.health = health
        self.maxIdlePerOrigin = maxIdlePerOrigin
        self.idleRetirement = idleRetirement
    }

    /// An idle connection to `origin` (`reused` true), or a new one; nil when the origin cannot be served.
    func acquire(_ origin: UpstreamOrigin) -> (connection: UpstreamConnection, reused: Bool)? {
        let now = loop.now
        let list = idleConnections(to: origin)
        while let connection = list.connections.popLast() {
            guard connection.isIdle else { continue }
            if now.since(connection.idleSince) < idleRetirement { return (connection, true) }
            // Retired; the older ones below it are older still.
            connection.close()
            for older in list.connections { older.close() }
            list.connections.removeAll()
        }
        switch origin.scheme {
        case "http": break
        case "https" where tls != nil: break
        default: return nil
        }
        let connection = UpstreamConnection(origin: origin, loop: loop, tls: tls)
        // Set once: a connection its backend closes while it is idle in the list leaves it.
        connection.onIdleClose = { [unowned self] closed in self.forget(closed) }
        return (connection, false)
    }

    /// Returns a connection after its request ended; one that is not `reusable`, or beyond the idle
    /// limit, is closed.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        guard reusable, connection.isReusable, connection.isIdle else { return connection.close() }
        connection.idleSince = loop.now
        let list = idleConnections(to: connection.origin)
        guard list.connections.count < maxIdlePerOrigin else { return connection.close() }
        list.connections.append(connection)
    }

    /// An idle connection its backend closed.
    private func forget(_ connection: UpstreamConnection) {
        idleConnections(to: connection.origin).connections.removeAll { $0 === connection }
    }

    /// The idle list of `origin`, made on first use and kept (one per origin the worker called).
    private func idleConnections(to origin: UpstreamOrigin) -> IdleConnections {
        if let lastUsed, lastUsed.origin == origin { return lastUsed }
        let list: IdleConnections
        if let known = idle[origin] {
            list = known
        } else {
            list = IdleConnections(origin: origin)
            idle[origin] = list
        }
        lastUsed = list
        return list
    }
}

/// The idle connections of one origin, newest last. A class, so the pool's last-used list is
/// changed in place rather than copied out of the dictionary and back.
private final class IdleConnections {
    let origin: UpstreamOrigin
    var connections: [UpstreamConnection] = []

    init(origin: UpstreamOrigin) { self.origin = origin }
}

extension UpstreamConnectionPool {
    /// Tells the health registry that a call to `origin` received a status (SPEC 3.2: up): every
    /// probe's answer counts (an unanswered probe asks whether its origin answered since).
    func reportAnswered(_ origin: UpstreamOrigin) {
        health?.answered(origin, now: loop.now)
    }

    /// Tells the health registry that a forwarded call on `connection` received a status (SPEC 3.2: up).
    /// While no origin is down, a connection reports at most every `answerReportInterval`: the
    /// registry is shared by every worker behind one lock, and an answer changes nothing in it but
    /// the time of the origin's last answer (docs/health.md).
    func reportAnswered(on connection: UpstreamConnection) {
        guard let health else { return }
        let now = loop.now
        if !health.anyDown, let last = connection.lastAnswerReported,
            now < last.adding(nanoseconds: Self.answerReportInterval)
        {
            return
        }
        connection.lastAnswerReported = now
        health.answered(connection.origin, now: now)
    }

    /// 100 ms in nanoseconds.
    static let answerReportInterval: UInt64 = 100_000_000

    /// Tells the health registry how a call to `origin` sent at `sentAt` failed before a status.
    /// - Parameter probe: a probe's timeout is its check's deadline, "no answer before the
    ///   deadline" (SPEC 3.2); a forwarded call's is `upstream.responseTimeout`, a 504 that says
    ///   nothing about reachability.
    func reportFailure(_ failure: UpstreamFailure, origin: UpstreamOrigin, sentAt: MonotonicInstant, probe: Bool) {
        guard let health else { return }
        switch failure.healthVerdict {
        case .unreachable:
            health.unreachable(origin, sentAt: sentAt, now: loop.now, reason: failure.reason)
        case .unanswered where probe:
            health.unanswered(origin, sentAt: sentAt, now: loop.now)
        case .unanswered, .none:
            health.released(origin, sentAt: sentAt)
        }
    }
}
