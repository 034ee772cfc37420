import CLibevent
import FakeServerKit

/// Told when the client of a held request goes away.
protocol HeldRequestOwner: AnyObject {
    func clientWentAway()
}

/// An evhttp request answered after its callback returned (a delayed listing, a stream).
///
/// While held, the server's close callback for the connection (`ClientConnections`) reports here, so a client that
/// leaves is noticed and its detached request freed (evhttp never frees a request the user has not finished).
/// `release()` stops that; call it in the same stack frame as the final send. The owner must keep this object alive
/// while it holds a request (the table only holds it weakly).
final class HeldRequest {
    private(set) var request: OpaquePointer?
    private var connection: OpaquePointer?
    private weak var owner: (any HeldRequestOwner)?
    private let connections: ClientConnections

    init(_ request: OpaquePointer, owner: any HeldRequestOwner, connections: ClientConnections) {
        self.request = request
        self.owner = owner
        self.connections = connections
        connection = evhttp_request_get_connection(request)
        guard let connection else { return }
        connections.hold(self, on: connection)
        EvhttpSockets.noticeCloseWhileReplying(on: connection)
    }

    /// Bytes queued for the client and not yet written to the socket.
    var pendingOutputBytes: Int {
        guard request != nil, let connection, let bufferevent = evhttp_connection_get_bufferevent(connection) else {
            return 0
        }
        return evbuffer_get_length(bufferevent_get_output(bufferevent))
    }

    /// Stops watching and returns the request for its final send (nil if the client is gone).
    func release() -> OpaquePointer? {
        guard let request else { return nil }
        self.request = nil
        if let connection { connections.release(connection) }
        connection = nil
        return request
    }

    /// Called by `ClientConnections` when evhttp is about to free the connection.
    func connectionClosed() {
        connection = nil
        guard let request else { return }
        self.request = nil
        // A request evhttp detached (EOF before the reply ended) is ours to free; one still attached is freed by
        // evhttp_connection_free right after this callback.
        if evhttp_request_get_connection(request) == nil { evhttp_request_free(request) }
        owner?.clientWentAway()
    }
}
