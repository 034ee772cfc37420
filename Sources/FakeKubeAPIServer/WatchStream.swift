import CLibevent
import FakeServerKit

/// One open watch: a chunked `200` reply that gets each event in its scope as one JSON line in its own chunk, until
/// `timeoutSeconds` ends it cleanly, `POST /_fake/drop-watches` cuts it, or its client leaves.
///
/// The server holds it while open. Its connection's close callback is set per watch and cleared in the same stack
/// frame as the final send or the drop (docs/LIBEVENT.md); a client that leaves is noticed at once because reads are
/// re-armed, and its detached request is freed here (both as FakeModelServer's `HeldRequest` does).
final class WatchStream {
    let resource: FakeResource
    let namespace: String?
    let allowsBookmarks: Bool
    /// The version the watch started from: bookmarks never carry an older one.
    private let startVersion: Int
    private var request: OpaquePointer?
    private var connection: OpaquePointer?
    private var timeout: LoopTimer?
    private unowned let server: KubeAPIServer

    private init(
        _ request: OpaquePointer,
        resource: FakeResource,
        namespace: String?,
        from version: Int,
        bookmarks: Bool,
        server: KubeAPIServer
    ) {
        self.request = request
        self.resource = resource
        self.namespace = namespace
        self.startVersion = version
        self.allowsBookmarks = bookmarks
        self.server = server
    }

    /// Starts the stream with `backlog` (history or synthetic ADDED events) and keeps it open.
    static func start(
        _ request: OpaquePointer,
        resource: FakeResource,
        namespace: String?,
        from version: Int,
        bookmarks: Bool,
        backlog: [ObjectStore.Event],
        timeoutSeconds: Int?,
        server: KubeAPIServer
    ) {
        let watch = WatchStream(
            request,
            resource: resource,
            namespace: namespace,
            from: version,
            bookmarks: bookmarks,
            server: server
        )
        watch.watchConnection()
        KubeReply.startStream(request)
        for event in backlog { KubeReply.chunk(request, event.line) }
        server.watchStarted(watch)
        if let timeoutSeconds, timeoutSeconds > 0 {
            watch.timeout = LoopTimer.start(base: server.base, milliseconds: timeoutSeconds * 1000) {
                [unowned watch] in watch.finish()
            }
        }
    }

    /// Sends `event` if this watch sees its resource and namespace.
    func deliver(_ event: ObjectStore.Event) {
        guard event.resource == resource.plural else { return }
        if namespace == nil || namespace == event.namespace { send(event.line) }
    }

    /// Sends a BOOKMARK at `latest` (the newest write's version, or the start version if newer), if allowed.
    func bookmark(latest: Int) -> Bool {
        guard allowsBookmarks else { return false }
        send(
            #"{"type":"BOOKMARK","object":{"kind":"\#(resource.kind)","apiVersion":"\#(ObjectStore.apiVersion)","#
                + #""metadata":{"resourceVersion":"\#(max(latest, startVersion))"}}}"# + "\n"
        )
        return true
    }

    private func send(_ line: String) {
        if let request { KubeReply.chunk(request, line) }
    }

    /// Ends the reply with its final chunk (the `timeoutSeconds` end a client resumes from).
    func finish() {
        guard let request = release() else { return }
        evhttp_send_reply_end(request)
        server.log("watch ended after its timeout")
    }

    /// Closes the connection without the final chunk; freeing the connection frees the request with it.
    func drop() {
        let connection = self.connection
        guard release() != nil, let connection else { return }
        evhttp_connection_free(connection)
    }

    private func watchConnection() {
        guard let request, let connection = evhttp_request_get_connection(request) else { return }
        self.connection = connection
        evhttp_connection_set_closecb(connection, watchClosedTrampoline, Unmanaged.passUnretained(self).toOpaque())
        EvhttpSockets.noticeCloseWhileReplying(on: connection)
    }

    /// Stops everything and returns the request for its last use (nil when already released).
    private func release() -> OpaquePointer? {
        guard let request else { return nil }
        self.request = nil
        if let connection { evhttp_connection_set_closecb(connection, nil, nil) }
        connection = nil
        timeout?.cancel()
        timeout = nil
        server.watchEnded(self)
        return request
    }

    /// evhttp is about to free the connection: the client left (or closed its side).
    fileprivate func connectionClosed() {
        connection = nil
        guard let request = release() else { return }
        // A request evhttp detached (EOF before the reply ended) is ours to free; one still attached is freed by
        // evhttp_connection_free right after this callback.
        if evhttp_request_get_connection(request) == nil { evhttp_request_free(request) }
        server.log("a watch client left")
    }
}

private func watchClosedTrampoline(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<WatchStream>.fromOpaque(context).takeUnretainedValue().connectionClosed()
}
