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
    private var idle: [UpstreamOrigin: [UpstreamConnection]] = [:]

    /// - Parameter tls: the client TLS context for `https` origins; nil refuses them.
    init(loop: EventLoop, tls: UpstreamTLSContext?, maxIdlePerOrigin: Int = 64) {
        self.loop = loop
        self.tls = tls
        self.maxIdlePerOrigin = maxIdlePerOrigin
    }

    /// An idle connection to `origin`, or a new one; nil when the origin cannot be served.
    func acquire(_ origin: UpstreamOrigin) -> UpstreamConnection? {
        if let connection = idle[origin]?.popLast() { return connection }
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
        return handle.map { UpstreamConnection(handle: $0, origin: origin) }
    }

    /// Returns a connection after its request ended; one that is not `reusable`, or beyond the idle
    /// limit, is freed. Called from inside libevent callbacks, so freeing waits for the next loop
    /// turn, never in the frame that used the connection.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        var list = idle[connection.origin, default: []]
        if reusable && list.count < maxIdlePerOrigin {
            list.append(connection)
            idle[connection.origin] = list
        } else {
            loop.execute { _ = connection }
        }
    }
}

/// One `evhttp_connection`, freed when the last reference goes.
final class UpstreamConnection: @unchecked Sendable {
    let handle: OpaquePointer
    let origin: UpstreamOrigin

    init(handle: OpaquePointer, origin: UpstreamOrigin) {
        self.handle = handle
        self.origin = origin
    }

    deinit {
        evhttp_connection_free(handle)
    }
}
