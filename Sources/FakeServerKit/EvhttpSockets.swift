import CLibevent
import Glibc

/// The socket chores both fake servers do around evhttp.
public enum EvhttpSockets {
    /// Binds `http` to `host:port` and returns the real port (the ephemeral one for port 0), or nil.
    /// Accepted sockets inherit the listener's `TCP_NODELAY`. `backlog` re-listens with a deeper
    /// queue than evhttp's 128 (Linux lets `listen` be called again), for benchmarks that open many
    /// connections at once.
    public static func bind(_ http: OpaquePointer, host: String, port: Int, backlog: Int32? = nil) -> Int? {
        guard let socket = evhttp_bind_socket_with_handle(http, host, UInt16(port)) else { return nil }
        let fd = evhttp_bound_socket_get_fd(socket)
        if let backlog { _ = listen(fd, backlog) }
        _ = maas_set_nodelay(fd)
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        // sin_port and sin6_port share offset 2.
        return withUnsafeBytes(of: address) { Int(UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self))) }
    }

    /// evhttp stops reading once a request is in, so a client that leaves is only noticed at the next
    /// write. Reading again, with evhttp's read callback off (it aborts on data while a reply is
    /// pending), reports the EOF at once; data a pipelining client sends meanwhile waits in the input
    /// buffer for evhttp.
    public static func noticeCloseWhileReplying(on connection: OpaquePointer) {
        guard let bufferevent = evhttp_connection_get_bufferevent(connection) else { return }
        var readCallback: bufferevent_data_cb?
        var writeCallback: bufferevent_data_cb?
        var eventCallback: bufferevent_event_cb?
        var argument: UnsafeMutableRawPointer?
        bufferevent_getcb(bufferevent, &readCallback, &writeCallback, &eventCallback, &argument)
        bufferevent_setcb(bufferevent, nil, writeCallback, eventCallback, argument)
        bufferevent_enable(bufferevent, Int16(EV_READ))
    }
}

/// What both fake servers offer their launcher.
public protocol FakeHTTPServing: AnyObject {
    func useTLS(_ tls: FakeTLS)
    /// The real port, or nil when `host:port` cannot be bound.
    func bind(host: String, port: Int) -> Int?
    /// Runs the loop until SIGTERM or SIGINT.
    func run()
}

/// The launch both fake servers share: TLS when asked, bind, print `listening HOST:PORT` (the one
/// line on stdout, which tests wait for), serve. Returns the exit status: 0 after a signal, 2 for a
/// certificate that does not load, 1 when the address cannot be bound.
public enum FakeServerLaunch {
    public static func serve(
        _ server: some FakeHTTPServing,
        tls: (certificate: String, key: String)?,
        bindHost: String,
        displayHost: String,
        port: Int,
        complain: (String) -> Void,
        whenListening: () -> Void = {}
    ) -> Int32 {
        if let (certificate, key) = tls {
            guard let loaded = FakeTLS(certificate: certificate, privateKey: key) else {
                complain("cannot load \(certificate) / \(key)")
                return 2
            }
            server.useTLS(loaded)
        }
        guard let bound = server.bind(host: bindHost, port: port) else {
            complain("cannot listen on \(displayHost):\(port)")
            return 1
        }
        // Straight to the descriptor: nothing waits in a stdio buffer.
        let line = Array("listening \(displayHost):\(bound)\n".utf8)
        _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        whenListening()
        server.run()
        return 0
    }
}
