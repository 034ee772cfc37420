import CLibevent

/// The client connections the fake has seen a request on, by evhttp connection: how many requests arrived on each
/// (`dropRequests` counts by them) and the request held on it, if any (`HeldRequest`).
///
/// A connection gets one close callback, at its first request, left in place for the connection's life. Its context
/// is this table, which the server keeps for the life of the process, so the callback never points at something
/// freed (docs/LIBEVENT.md's use-after-free is a callback left behind with a per-exchange context). The close callback
/// removes the entry — the counts cannot leak, nor pass to a new connection that reuses the address — and tells a
/// held request its client left; a held request no longer registers a callback of its own, which would replace
/// this one.
final class ClientConnections {
    private struct Entry {
        var requests = 0
        weak var held: HeldRequest?
    }

    private var entries: [OpaquePointer: Entry] = [:]

    /// Connections open right now (that have sent at least one request).
    var count: Int { entries.count }

    /// Counts a request arriving on `connection`; returns its 1-based ordinal on that connection.
    func requestArrived(on connection: OpaquePointer) -> Int {
        watch(connection)
        entries[connection]!.requests += 1
        return entries[connection]!.requests
    }

    /// `held` is told when `connection` closes, until `release(_:)`.
    func hold(_ held: HeldRequest, on connection: OpaquePointer) {
        watch(connection)
        entries[connection]!.held = held
    }

    func release(_ connection: OpaquePointer) {
        entries[connection]?.held = nil
    }

    private func watch(_ connection: OpaquePointer) {
        guard entries[connection] == nil else { return }
        entries[connection] = Entry()
        evhttp_connection_set_closecb(
            connection,
            clientConnectionClosedTrampoline,
            Unmanaged.passUnretained(self).toOpaque()
        )
    }

    /// evhttp is about to free `connection` (client gone, `Connection: close` answered, or freed by the fake).
    fileprivate func closed(_ connection: OpaquePointer) {
        guard let entry = entries.removeValue(forKey: connection) else { return }
        entry.held?.connectionClosed()
    }
}

private func clientConnectionClosedTrampoline(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let connection, let context else { return }
    Unmanaged<ClientConnections>.fromOpaque(context).takeUnretainedValue().closed(connection)
}
