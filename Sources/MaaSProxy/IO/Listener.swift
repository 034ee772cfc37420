import CLibevent
import Glibc

/// One listening socket on an `EventLoop`; every connection it accepts goes to `onAccept`.
///
/// Every worker binds its own socket on the same port with `SO_REUSEPORT` and the kernel spreads
/// connections between them. Loop-thread only; owns the socket and its event.
final class Listener {
    let fd: Int32
    let port: Int
    private var event: OpaquePointer?
    private let onAccept: (Int32) -> Void

    /// - Parameter checkExclusive: first bind without `SO_REUSEPORT` to learn whether another
    ///   process holds the port (SPEC 6: a start-up error naming it; with `SO_REUSEPORT` alone a
    ///   second instance would silently take half the connections). Port 0 needs no check.
    init(
        loop: EventLoop,
        host: String,
        port: Int,
        checkExclusive: Bool,
        onAccept: @escaping (Int32) -> Void
    ) throws(ServerSetupError) {
        let address = try SocketAddress.resolve(host: host, port: port)
        var error: Int32 = 0
        if checkExclusive && port != 0 {
            let probe = address.withSockAddr { maas_listen($0, socklen_t($1), 0, 1, &error) }
            guard probe >= 0 else {
                let why = error == EADDRINUSE ? "the port is already in use" : String(cString: strerror(error))
                throw .init(message: "cannot listen on \(host):\(port): \(why)")
            }
            Glibc.close(probe)
        }
        let fd = address.withSockAddr { maas_listen($0, socklen_t($1), 1, 1024, &error) }
        guard fd >= 0 else {
            throw .init(message: "cannot listen on \(host):\(port): \(String(cString: strerror(error)))")
        }
        self.fd = fd
        self.port = SocketAddress.localPort(of: fd) ?? port
        self.onAccept = onAccept
        event = maas_event_new_read(loop.base, fd, listenerTrampoline, Unmanaged.passUnretained(self).toOpaque())
        event_add(event, nil)
    }

    deinit { close() }

    /// Stops accepting and closes the socket; connections already accepted are not touched.
    func close() {
        guard let event else { return }
        event_free(event)
        self.event = nil
        Glibc.close(fd)
    }

    fileprivate func acceptAll() {
        // Level-triggered: whatever is left after this batch wakes the loop again.
        for _ in 0..<64 {
            let client = maas_accept(fd)
            if client < 0 { return }
            onAccept(client)
        }
    }
}

private func listenerTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Listener>.fromOpaque(context).takeUnretainedValue().acceptAll()
}
