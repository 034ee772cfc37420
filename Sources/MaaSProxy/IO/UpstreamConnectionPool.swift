import AccessCheck
import Routing

/// Where upstream connections go: scheme, host and port of an endpoint.
struct UpstreamOrigin: Hashable, Sendable, CustomStringConvertible {
    var scheme: String
    var host: String
    var port: Int

    init(_ url: EndpointURL) {
        self.scheme = url.scheme
        self.host = url.host
        self.port = url.port
    }

    var description: String { "\(scheme)://\(host):\(port)" }
}

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
    private var idle: [UpstreamOrigin: [UpstreamConnection]] = [:]

    /// - Parameter tls: the client TLS context for `https` origins; nil refuses them.
    init(
        loop: EventLoop,
        tls: UpstreamTLSContext?,
        maxIdlePerOrigin: Int = 64,
        idleRetirement: Duration = .seconds(4)
    ) {
        self.loop = loop
        self.tls = tls
        self.maxIdlePerOrigin = maxIdlePerOrigin
        self.idleRetirement = idleRetirement
    }

    /// An idle connection to `origin` (`reused` true), or a new one; nil when the origin cannot be served.
    func acquire(_ origin: UpstreamOrigin) -> (connection: UpstreamConnection, reused: Bool)? {
        let now = loop.now
        while let connection = idle[origin]?.popLast() {
            connection.onIdleClose = nil
            guard connection.isIdle else { continue }
            if now.since(connection.idleSince) < idleRetirement { return (connection, true) }
            // Retired; the older ones below it are older still.
            connection.close()
            for older in idle[origin] ?? [] { older.close() }
            idle[origin] = nil
        }
        switch origin.scheme {
        case "http": break
        case "https" where tls != nil: break
        default: return nil
        }
        return (UpstreamConnection(origin: origin, loop: loop, tls: tls), false)
    }

    /// Returns a connection after its request ended; one that is not `reusable`, or beyond the idle
    /// limit, is closed.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        guard reusable, connection.isReusable, connection.isIdle else { return connection.close() }
        var list = idle[connection.origin, default: []]
        guard list.count < maxIdlePerOrigin else { return connection.close() }
        connection.idleSince = loop.now
        connection.onIdleClose = { [unowned self] closed in self.forget(closed) }
        list.append(connection)
        idle[connection.origin] = list
    }

    /// An idle connection its backend closed.
    private func forget(_ connection: UpstreamConnection) {
        idle[connection.origin]?.removeAll { $0 === connection }
    }
}
