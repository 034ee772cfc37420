import AccessCheck
import CLibevent
import Glibc
import HTTP1

/// Limits the server enforces before a handler sees a request.
struct HTTPServerLimits: Sendable {
    var maxHeaderBytes: Int
    var maxBodyBytes: Int
    /// A keep-alive connection with no request for this long is closed (and a client that takes
    /// nothing of its answer for this long is dropped).
    var connectionTimeoutSeconds: Int32 {
        didSet { connectionTimeoutNanoseconds = Self.nanoseconds(seconds: connectionTimeoutSeconds) }
    }
    /// A request must arrive whole within this time of its first byte (`limits.requestReadTimeout`).
    var requestReadTimeout: Duration {
        didSet { requestReadTimeoutNanoseconds = requestReadTimeout.nanosecondsClamped }
    }
    /// The bounds in nanoseconds, converted once: the connection's timer reads them on every request.
    private(set) var connectionTimeoutNanoseconds: UInt64
    private(set) var requestReadTimeoutNanoseconds: UInt64

    init(maxHeaderBytes: Int, maxBodyBytes: Int, connectionTimeoutSeconds: Int32, requestReadTimeout: Duration) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.connectionTimeoutSeconds = connectionTimeoutSeconds
        self.requestReadTimeout = requestReadTimeout
        connectionTimeoutNanoseconds = Self.nanoseconds(seconds: connectionTimeoutSeconds)
        requestReadTimeoutNanoseconds = requestReadTimeout.nanosecondsClamped
    }

    private static func nanoseconds(seconds: Int32) -> UInt64 { UInt64(max(seconds, 0)) * 1_000_000_000 }

    var idleTimeout: Duration { .seconds(Int(connectionTimeoutSeconds)) }
    var writeStallTimeout: Duration { .seconds(Int(connectionTimeoutSeconds)) }
}

/// An HTTP/1.1 server on one `EventLoop` (the engine: our codec on our own sockets), accepting on
/// one or more listening sockets, plain or TLS.
///
/// Owned by its loop's thread; the handler runs on that thread for every request.
final class HTTPServer {
    let loop: EventLoop
    let limits: HTTPServerLimits
    let headLimits: HeadLimits
    let inFlight: InFlightGauge
    private let handler: (ServerExchange) -> Void
    /// Called after every answer (access log), with the status and the body bytes sent.
    var onAnswered: ((ServerExchange, Int, Int) -> Void)?
    /// Called after a request was refused before any handler saw it (the codec's refusals, 408).
    var onRefused: ((RefusedRequest, Int) -> Void)?
    /// Whether a request's body streams to its handler as it arrives (a path-routed call, SPEC
    /// 5.3) instead of being read whole first (up to `limits.maxBodyBytes`). Nil: always whole.
    var bodyStreaming: ((RequestHead) -> Bool)?
    private var listeners: [Listener] = []
    /// Every accepted connection, kept here until it closes.
    private var connectionObjects: [ObjectIdentifier: ServerConnection] = [:]
    private let tls: ListenerTLS?
    /// After `stopAccepting`: answers close their connections, so clients reconnect elsewhere.
    private(set) var isDraining = false

    /// - Parameter tls: when set, every accepted connection speaks TLS with its current certificate.
    init(
        loop: EventLoop,
        limits: HTTPServerLimits,
        inFlight: InFlightGauge,
        tls: ListenerTLS? = nil,
        handler: @escaping (ServerExchange) -> Void
    ) throws(ServerSetupError) {
        self.loop = loop
        self.limits = limits
        // The body limit is the connection's to apply: a streamed body has none (SPEC 5.3).
        self.headLimits = HeadLimits(maxHeadBytes: limits.maxHeaderBytes, maxBodyBytes: Int.max)
        self.inFlight = inFlight
        self.tls = tls
        self.handler = handler
    }

    deinit {
        for connection in connectionObjects.values { connection.close() }
    }

    /// Binds `host:port` with `SO_REUSEPORT`, so every worker can accept on the same port.
    /// Port 0 binds an ephemeral port; read the real one from the returned address.
    /// - Parameter exclusive: check first that no other process listens there (the first worker).
    @discardableResult
    func bind(host: String, port: Int, exclusive: Bool = true) throws(ServerSetupError) -> BoundAddress {
        let listener = try Listener(loop: loop, host: host, port: port, checkExclusive: exclusive) {
            [unowned self] fd in self.accepted(fd)
        }
        listeners.append(listener)
        return BoundAddress(host: host, port: listener.port)
    }

    /// Closes the listening sockets; connections already accepted keep being served (SPEC 6, SIGTERM).
    func stopAccepting() {
        for listener in listeners { listener.close() }
        listeners.removeAll()
        isDraining = true
    }

    private func accepted(_ fd: Int32) {
        var ssl: OpaquePointer?
        if let tls {
            guard let made = tls.makeSSL() else {
                Glibc.close(fd)
                return
            }
            ssl = made
        }
        let connection = ServerConnection(server: self, fd: fd, ssl: ssl, peerAddress: SocketAddress.peer(of: fd))
        connectionObjects[ObjectIdentifier(connection)] = connection
    }

    func streamsBody(of head: RequestHead) -> Bool {
        bodyStreaming?(head) ?? false
    }

    func handle(_ exchange: ServerExchange) {
        handler(exchange)
    }

    func refused(_ refused: RefusedRequest, bytesOut: Int) {
        onRefused?(refused, bytesOut)
    }

    /// The connection closed; nothing calls back into it any more. It goes on the next loop turn,
    /// never inside one of its own callbacks.
    func connectionClosed(_ connection: ServerConnection) {
        guard let closed = connectionObjects.removeValue(forKey: ObjectIdentifier(connection)) else { return }
        let later = LoopOwned(closed)
        loop.execute { _ = later }
    }
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

/// The inactivity timeout of client connections: an idle keep-alive connection, or a client that
/// reads nothing of an answer for this long, is closed. While a client waits for an upstream head
/// or reads a stream, the upstream timers of SPEC 5.5 bound those phases.
enum ServerTimeouts {
    static let connectionSeconds: Int32 = 60
}
