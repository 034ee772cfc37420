import CLibevent
import Glibc

/// Limits the server enforces before a handler sees a request.
struct HTTPServerLimits: Sendable {
    var maxHeaderBytes: Int
    var maxBodyBytes: Int
    /// evhttp's one inactivity timeout per connection (LIBEVENT.md: without it there is none).
    var connectionTimeoutSeconds: Int32
    /// A request must arrive whole within this time of its first byte (`limits.requestReadTimeout`).
    var requestReadTimeout: Duration
}

/// An `evhttp` server on one `EventLoop`, accepting on one or more listening sockets.
///
/// Owned by its loop's thread; the handler runs on that thread for every request.
final class HTTPServer {
    private let loop: EventLoop
    private let http: OpaquePointer
    private let handler: (ServerExchange) -> Void
    private let inFlight: InFlightGauge
    /// Called after every answer (access log).
    var onAnswered: ((ServerExchange, Int, Int) -> Void)?
    /// Called after evhttp refused a request before any handler saw it (`EvhttpErrorPage`).
    var onRefused: (@Sendable (RefusedRequest, Int) -> Void)? {
        didSet { EvhttpErrorPage.register(refusalPolicy, base: loop.base) }
    }
    private let limits: HTTPServerLimits
    private(set) var boundAddresses: [BoundAddress] = []
    private var boundSockets: [OpaquePointer] = []
    /// Kept alive here: evhttp calls into it for every accepted connection.
    private let tls: ListenerTLS?
    /// Every accepted connection; evhttp calls into it (bevcb, close callbacks) until `evhttp_free`.
    private let clients: ClientConnections

    /// - Parameter tls: when set, every accepted connection speaks TLS with its current certificate.
    init(
        loop: EventLoop,
        limits: HTTPServerLimits,
        inFlight: InFlightGauge,
        tls: ListenerTLS? = nil,
        handler: @escaping (ServerExchange) -> Void
    ) throws(ServerSetupError) {
        guard let http = evhttp_new(loop.base) else { throw .init(message: "could not create the HTTP server") }
        self.loop = loop
        self.http = http
        self.handler = handler
        self.inFlight = inFlight
        self.tls = tls
        self.limits = limits
        clients = ClientConnections(loop: loop, tls: tls, readTimeout: limits.requestReadTimeout)
        clients.install(on: http)
        evhttp_set_max_headers_size(http, limits.maxHeaderBytes)
        evhttp_set_max_body_size(http, limits.maxBodyBytes)
        evhttp_set_timeout(http, limits.connectionTimeoutSeconds)
        // LIBEVENT.md: evhttp would otherwise invent `Content-Type: text/html` and refuse OPTIONS/PATCH.
        evhttp_set_default_content_type(http, nil)
        let methods: [evhttp_cmd_type] = [
            EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE,
            EVHTTP_REQ_OPTIONS, EVHTTP_REQ_PATCH,
        ]
        evhttp_set_allowed_methods(http, UInt16(methods.reduce(0) { $0 | $1.rawValue }))
        evhttp_set_gencb(http, httpServerRequestTrampoline, Unmanaged.passUnretained(self).toOpaque())
        EvhttpErrorPage.register(refusalPolicy, base: loop.base)
        clients.onReadTimeout = { [unowned self] client in self.requestNotReceived(on: client) }
    }

    deinit {
        EvhttpErrorPage.unregister(base: loop.base)
        evhttp_free(http)
        clients.serverFreed()
    }

    private var refusalPolicy: RefusalPolicy {
        RefusalPolicy(maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxBodyBytes, observer: onRefused)
    }

    /// Binds `host:port` with `SO_REUSEPORT`, so every worker can accept on the same port.
    /// Port 0 binds an ephemeral port; read the real one from the returned address.
    @discardableResult
    func bind(host: String, port: Int) throws(ServerSetupError) -> BoundAddress {
        let socketAddress = try SocketAddress.resolve(host: host, port: port)
        let flags =
            LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC
        let listener = socketAddress.withSockAddr { address, length in
            evconnlistener_new_bind(loop.base, nil, nil, UInt32(flags), 1024, address, length)
        }
        guard let listener else {
            throw .init(message: "cannot listen on \(host):\(port): \(String(cString: strerror(errno)))")
        }
        let fd = evconnlistener_get_fd(listener)
        // Accepted sockets inherit TCP_NODELAY on Linux (LIBEVENT.md: 44 ms per request without it).
        _ = maas_set_nodelay(fd)
        guard let socket = evhttp_bind_listener(http, listener) else {
            evconnlistener_free(listener)
            throw .init(message: "cannot serve HTTP on \(host):\(port)")
        }
        boundSockets.append(socket)
        let bound = BoundAddress(host: host, port: SocketAddress.localPort(of: fd) ?? port)
        boundAddresses.append(bound)
        return bound
    }

    /// Closes the listening sockets; connections already accepted keep being served (SPEC 6, SIGTERM).
    func stopAccepting() {
        for socket in boundSockets { evhttp_del_accept_socket(http, socket) }
        boundSockets.removeAll()
    }

    fileprivate func handle(_ request: OpaquePointer) {
        let client = clients.connection(of: request)
        if let client {
            client.requestReceived()
            evhttp_request_set_on_complete_cb(
                request,
                clientRequestCompleteTrampoline,
                Unmanaged.passUnretained(client).toOpaque()
            )
        }
        handler(
            ServerExchange(request: request, loop: loop, client: client, inFlight: inFlight, onAnswered: onAnswered)
        )
    }

    /// A request did not arrive whole within `limits.requestReadTimeout`: a plain client is told
    /// so (408) just before the connection closes; the access log and metrics count it as refused.
    private func requestNotReceived(on client: ClientConnection) {
        let error = ProxyError.requestTimeout(after: limits.requestReadTimeout)
        let requestID = RequestID.resolve(nil, random: &loop.random)
        let body = error.body
        var response = "HTTP/1.1 408 \(HTTPStatus.reason(408))\r\nContent-Type: application/json\r\n"
        response += "Content-Length: \(body.count)\r\nConnection: close\r\nX-Request-Id: \(requestID)\r\n\r\n"
        client.sendBeforeClosing(Array(response.utf8) + body)
        let refused = RefusedRequest(
            error: error,
            method: "UNKNOWN",
            requestID: requestID,
            bytesIn: 0,
            authorization: "absent"
        )
        onRefused?(refused, client.isTLS ? 0 : body.count)
    }
}

private func httpServerRequestTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context else { return }
    Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue().handle(request)
}

/// A listening address after binding (the real port when 0 was asked for).
struct BoundAddress: Hashable, Sendable, CustomStringConvertible {
    var host: String
    var port: Int
    var description: String { host.contains(Character(":")) ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

struct ServerSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// evhttp finished writing a request's answer; the connection (alive: evhttp is using it) may read
/// the next one.
private func clientRequestCompleteTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ClientConnection>.fromOpaque(context).takeUnretainedValue().answered()
}
