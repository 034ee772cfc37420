import AccessCheck
import CLibevent
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

/// Keep-alive `evhttp_connection`s per upstream origin, owned by one `EventLoop`.
///
/// A connection carries one request at a time (evhttp queues, never pipelines), so the pool hands
/// out an idle connection or opens a new one, and takes it back when the request ends.
final class UpstreamConnectionPool {
    let loop: EventLoop
    private let tls: UpstreamTLSContext?
    private let maxIdlePerOrigin: Int
    /// Idle connections older than this are closed instead of reused: servers close idle
    /// keep-alive connections after a few seconds (uvicorn, which serves vLLM: 5 s), and a request
    /// sent as that close crosses it fails (LIBEVENT.md). Only body-less requests can be retried.
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
            if now.since(connection.idleSince) < idleRetirement { return (connection, true) }
            // Retired; the older ones below it are older still.
            idle[origin] = nil
            loop.execute { _ = connection }
        }
        guard let connection = open(origin) else { return nil }
        return (connection, false)
    }

    private func open(_ origin: UpstreamOrigin) -> UpstreamConnection? {
        let handle: OpaquePointer?
        switch origin.scheme {
        case "http":
            handle = evhttp_connection_base_new(loop.base, loop.dns, origin.host, UInt16(origin.port))
        case "https":
            // evhttp reuses this bufferevent across reconnects, which is safe with TLS (LIBEVENT.md).
            guard let tls, let bev = tls.makeBufferevent(loop: loop, host: origin.host) else { return nil }
            handle = evhttp_connection_base_bufferevent_new(loop.base, loop.dns, bev, origin.host, UInt16(origin.port))
        default:
            handle = nil
        }
        guard let handle else { return nil }
        // evhttp's own read/write timeout would otherwise cut quiet streams at its 50 s default;
        // the response, idle and connect timeouts of SPEC 5.5 are timers of ours.
        evhttp_connection_set_timeout(handle, Int32(UpstreamConnection.libeventTimeoutSeconds))
        return UpstreamConnection(handle: handle, origin: origin)
    }

    /// Returns a connection after its request ended; one that is not `reusable`, or beyond the idle
    /// limit, is freed. Called from inside libevent callbacks, so freeing waits for the next loop
    /// turn, never in the frame that used the connection.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        var list = idle[connection.origin, default: []]
        if reusable && list.count < maxIdlePerOrigin {
            connection.idleSince = loop.now
            list.append(connection)
            idle[connection.origin] = list
        } else {
            loop.execute { _ = connection }
        }
    }
}

/// One `evhttp_connection`, freed when the last reference goes.
final class UpstreamConnection: @unchecked Sendable {
    /// Longer than any timer of ours (`upstream.responseTimeout`, `idleTimeout` are at most this).
    static let libeventTimeoutSeconds = 30 * 24 * 3600

    let handle: OpaquePointer
    let origin: UpstreamOrigin
    var idleSince = MonotonicInstant(nanoseconds: 0)
    /// The socket that last got `TCP_NODELAY` (evhttp opens a new one on each reconnect).
    private var nodelaySocket: Int32 = -1

    init(handle: OpaquePointer, origin: UpstreamOrigin) {
        self.handle = handle
        self.origin = origin
    }

    deinit {
        evhttp_connection_free(handle)
    }

    /// Sets `TCP_NODELAY` on the connection's current socket once (LIBEVENT.md: 44 ms per request
    /// on TLS without it).
    func disableNagle() {
        guard let bufferevent = evhttp_connection_get_bufferevent(handle) else { return }
        let fd = bufferevent_getfd(bufferevent)
        guard fd >= 0, fd != nodelaySocket else { return }
        nodelaySocket = fd
        _ = maas_set_nodelay(fd)
    }

    /// Why the backend's certificate was refused, when it was (verification failed, wrong name,
    /// expired…): the SSL object keeps its verify result after the handshake failed.
    func lastTLSError() -> String? {
        guard let bufferevent = evhttp_connection_get_bufferevent(handle),
            let ssl = bufferevent_openssl_get_ssl(bufferevent)
        else { return nil }
        let result = SSL_get_verify_result(ssl)
        guard result != X509_V_OK else { return nil }
        return "certificate verify failed: " + String(cString: X509_verify_cert_error_string(result))
    }

    /// True once the TCP connection is established.
    var isConnected: Bool {
        guard let bufferevent = evhttp_connection_get_bufferevent(handle) else { return false }
        return maas_socket_is_connected(bufferevent_getfd(bufferevent)) != 0
    }

    /// Stops or resumes reading the response (back-pressure from a slow client).
    func setReading(_ reading: Bool) {
        guard let bufferevent = evhttp_connection_get_bufferevent(handle) else { return }
        if reading {
            bufferevent_enable(bufferevent, Int16(EV_READ))
        } else {
            bufferevent_disable(bufferevent, Int16(EV_READ))
        }
    }
}
