import CLibevent
import Glibc

/// What a `Transport` tells its owner. Called on the loop thread, from the transport's event.
protocol TransportDelegate: AnyObject {
    /// Bytes (or the peer's close) may be readable: read until `read` says `.wouldBlock`.
    func transportReadable()
    /// Room to write again (or a connect finished): flush what is queued.
    func transportWritable()
}

/// A non-blocking socket, plain or TLS, with one edge-triggered event for both directions.
///
/// The event is registered once for the socket's life: the transport never asks the loop to watch
/// or unwatch a direction (no `epoll_ctl` per request). Instead it remembers what the last edge
/// said (`canRead`, `canWrite`) and the owner calls `read`/`write` eagerly; an edge only matters
/// after an operation said `.wouldBlock`. OpenSSL runs directly on the socket: a TLS read that
/// needs to write (or a write that needs to read) waits for the other direction's edge, which
/// the event delivers anyway. Loop-thread only; owns the socket, the `SSL` and the event.
final class Transport {
    enum ReadOutcome: Equatable {
        case read(Int)
        case wouldBlock
        /// The peer closed its side (or a TLS close_notify / dirty shutdown).
        case closed
        case failed(String)
    }

    enum WriteOutcome: Equatable {
        /// Fewer than asked means the socket is full: wait for `transportWritable`.
        case wrote(Int)
        case failed(String)
    }

    let fd: Int32
    private let ssl: OpaquePointer?
    private var event: OpaquePointer?
    weak var delegate: TransportDelegate?
    /// False after a read said the socket is drained, until the next read edge.
    private(set) var canRead = true
    /// False after a write filled the socket (or before a connect completed), until the next write edge.
    private(set) var canWrite: Bool
    /// The peer half-closed (EPOLLRDHUP): reads go on until they return the end, even after a short one.
    private var peerClosed = false
    /// OpenSSL's cross-direction waits (a read that must first write, a write that must first read).
    private var readWaitsForWrite = false
    private var writeWaitsForRead = false
    private(set) var isClosed = false

    var isTLS: Bool { ssl != nil }

    /// - Parameters:
    ///   - fd: a non-blocking socket, owned from now on.
    ///   - ssl: an `SSL` in accept or connect state, owned from now on (the socket is set on it).
    ///   - connecting: true for a connect in progress: writes wait for its first write edge.
    init(loop: EventLoop, fd: Int32, ssl: OpaquePointer?, connecting: Bool) {
        self.fd = fd
        self.ssl = ssl
        self.canWrite = !connecting
        if let ssl {
            _ = SSL_set_fd(ssl, fd)
            maas_ssl_set_engine_modes(ssl)
        }
        event = maas_event_new_edge(loop.base, fd, transportEventTrampoline, Unmanaged.passUnretained(self).toOpaque())
        event_add(event, nil)
    }

    deinit { close() }

    /// Reads into `buffer`, at most `limit` bytes in one call.
    func read(into buffer: ByteBuffer, limit: Int = 16384) -> ReadOutcome {
        guard !isClosed else { return .closed }
        let room = buffer.reserveTail(limit)
        let asked = min(room.count, limit)
        if let ssl {
            ERR_clear_error()
            let result = SSL_read(ssl, room.baseAddress, Int32(asked))
            if result > 0 {
                buffer.commitTail(Int(result))
                return .read(Int(result))
            }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ:
                canRead = false
                return .wouldBlock
            case SSL_ERROR_WANT_WRITE:
                canRead = false
                readWaitsForWrite = true
                return .wouldBlock
            case SSL_ERROR_ZERO_RETURN:
                return .closed
            case SSL_ERROR_SYSCALL where ERR_peek_error() == 0:
                // A peer that closes without close_notify, or a reset: the end of this connection.
                return .closed
            default:
                return .failed(Transport.drainTLSErrors(ssl: ssl))
            }
        }
        let result = Glibc.read(fd, room.baseAddress, asked)
        if result > 0 {
            buffer.commitTail(result)
            // A short read emptied the socket: a new edge comes with new bytes (edge-triggered),
            // so the read that would only say EAGAIN is skipped, unless the peer has closed.
            if result < asked && !peerClosed { canRead = false }
            return .read(result)
        }
        if result == 0 { return .closed }
        let error = maas_errno()
        if maas_would_block(error) != 0 {
            canRead = false
            return .wouldBlock
        }
        if error == EINTR { return read(into: buffer, limit: limit) }
        if error == ECONNRESET { return .closed }
        return .failed(String(cString: strerror(error)))
    }

    /// Writes as much of `bytes` as the socket takes now.
    func write(_ bytes: UnsafeRawBufferPointer) -> WriteOutcome {
        guard !isClosed else { return .failed("closed") }
        guard bytes.count > 0, canWrite else { return .wrote(0) }
        if let ssl {
            ERR_clear_error()
            let result = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
            if result > 0 {
                if Int(result) < bytes.count { canWrite = false }
                return .wrote(Int(result))
            }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_WRITE:
                canWrite = false
                return .wrote(0)
            case SSL_ERROR_WANT_READ:
                canWrite = false
                writeWaitsForRead = true
                return .wrote(0)
            default:
                return .failed(Transport.drainTLSErrors(ssl: ssl))
            }
        }
        let result = maas_send(fd, bytes.baseAddress, bytes.count)
        if result >= 0 {
            if result < bytes.count { canWrite = false }
            return .wrote(result)
        }
        let error = maas_errno()
        if maas_would_block(error) != 0 {
            canWrite = false
            return .wrote(0)
        }
        if error == EINTR { return write(bytes) }
        return .failed(String(cString: strerror(error)))
    }

    /// After a connect: nil once connected, else why it failed.
    func connectError() -> String? {
        let error = maas_socket_error(fd)
        return error == 0 ? nil : String(cString: strerror(error))
    }

    /// Why the peer's certificate was refused, when it was (the SSL keeps its verify result).
    func certificateError() -> String? {
        guard let ssl else { return nil }
        let result = SSL_get_verify_result(ssl)
        guard result != X509_V_OK else { return nil }
        return "certificate verify failed: " + String(cString: X509_verify_cert_error_string(result))
    }

    /// Frees the event, the `SSL` and the socket. Nothing is called back afterwards.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if let event {
            event_free(event)
            self.event = nil
        }
        if let ssl { SSL_free(ssl) }
        Glibc.close(fd)
    }

    fileprivate func handle(_ what: Int16) {
        let readEdge = what & Int16(EV_READ | EV_CLOSED) != 0
        let writeEdge = what & Int16(EV_WRITE) != 0
        if what & Int16(EV_CLOSED) != 0 { peerClosed = true }
        var wakeReader = readEdge
        var wakeWriter = writeEdge
        if readEdge {
            canRead = true
            if writeWaitsForRead {
                writeWaitsForRead = false
                canWrite = true
                wakeWriter = true
            }
        }
        if writeEdge {
            canWrite = true
            if readWaitsForWrite {
                readWaitsForWrite = false
                canRead = true
                wakeReader = true
            }
        }
        // The delegate may close the transport from either call; the trampoline keeps it alive.
        if wakeWriter { delegate?.transportWritable() }
        if wakeReader && !isClosed { delegate?.transportReadable() }
    }

    private static func drainTLSErrors(ssl: OpaquePointer) -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK {
            reasons.append("certificate verify failed: " + String(cString: X509_verify_cert_error_string(verify)))
        }
        return reasons.isEmpty ? "TLS error" : reasons.joined(separator: "; ")
    }
}

private func transportEventTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let transport = Unmanaged<Transport>.fromOpaque(context).takeUnretainedValue()
    withExtendedLifetime(transport) { transport.handle(what) }
}
