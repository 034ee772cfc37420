import CLibevent
import FakeServerKit
import Foundation

/// The fake API server: one evhttp server on one single-threaded libevent loop. Owns the store, the token, the
/// counters and the open watches, checks the token and routes each request.
final class KubeAPIServer: FakeHTTPServing {
    let base: OpaquePointer
    private let http: OpaquePointer
    let store = ObjectStore()
    var stats = KubeStats()
    /// nil: no `Authorization` needed.
    var token: String?
    /// The resource types listed and watched; the others answer 404.
    let served: Set<FakeResource>
    private var watches: [ObjectIdentifier: WatchStream] = [:]
    private let verbose: Bool
    private var tls: FakeTLS?
    private var signalEvents: [OpaquePointer] = []
    private var bookmarkTimer: LoopTimer?

    /// nil when libevent cannot set up a loop.
    init?(options: KubeLaunchOptions) {
        maas_ignore_sigpipe()
        guard let settings = event_config_new() else { return nil }
        defer { event_config_free(settings) }
        _ = event_config_set_flag(settings, Int32(EVENT_BASE_FLAG_NOLOCK.rawValue))
        guard let base = event_base_new_with_config(settings) else { return nil }
        guard let http = evhttp_new(base) else {
            event_base_free(base)
            return nil
        }
        self.base = base
        self.http = http
        token = options.token
        served = Set(options.resources)
        verbose = options.verbose
        // evhttp would invent `Content-Type: text/html`; every reply sets its own.
        evhttp_set_default_content_type(http, nil)
        let methods: [evhttp_cmd_type] = [EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE]
        evhttp_set_allowed_methods(http, UInt16(methods.reduce(0) { $0 | $1.rawValue }))
        evhttp_set_max_body_size(http, 16 << 20)
        evhttp_set_max_headers_size(http, 1 << 20)
        evhttp_set_gencb(http, kubeServerRequestTrampoline, Unmanaged.passUnretained(self).toOpaque())
        for signal in [SIGTERM, SIGINT] {
            _ = maas_unblock_signal(signal)
            let context = Unmanaged.passUnretained(self).toOpaque()
            guard let event = maas_evsignal_new(base, signal, kubeServerSignalTrampoline, context) else { continue }
            event_add(event, nil)
            signalEvents.append(event)
        }
        if options.bookmarkIntervalMs > 0 {
            bookmarkTimer = LoopTimer.start(base: base, milliseconds: options.bookmarkIntervalMs, repeating: true) {
                [unowned self] in _ = self.sendBookmarks()
            }
        }
    }

    func useTLS(_ tls: FakeTLS) {
        self.tls = tls
        tls.install(on: http)
    }

    /// Binds and returns the real port (the ephemeral one for port 0).
    func bind(host: String, port: Int) -> Int? { EvhttpSockets.bind(http, host: host, port: port) }

    /// Runs the loop until SIGTERM or SIGINT.
    func run() { event_base_dispatch(base) }

    // MARK: Watches

    var openWatches: Int { watches.count }

    func watchStarted(_ watch: WatchStream) { watches[ObjectIdentifier(watch)] = watch }

    func watchEnded(_ watch: WatchStream) { watches[ObjectIdentifier(watch)] = nil }

    /// Sends a store change to every watch that sees its namespace.
    func publish(_ event: ObjectStore.Event) {
        for watch in watches.values { watch.deliver(event) }
    }

    /// A BOOKMARK on every watch that allowed bookmarks; returns how many.
    func sendBookmarks() -> Int {
        Array(watches.values).reduce(0) { $0 + ($1.bookmark(latest: store.lastWriteVersion) ? 1 : 0) }
    }

    /// Closes every watch connection without the final chunk; returns how many.
    func dropWatches() -> Int {
        let dropped = Array(watches.values)
        for watch in dropped { watch.drop() }
        return dropped.count
    }

    /// A line on stderr with `--verbose`; nothing otherwise.
    func log(_ message: @autoclosure () -> String) {
        guard verbose else { return }
        FileHandle.standardError.write(Data("fake-kube-apiserver: \(message())\n".utf8))
    }

    fileprivate func stop() { event_base_loopbreak(base) }

    fileprivate func handle(_ request: OpaquePointer) {
        let incoming = KubeRequest(request)
        log("\(incoming.method) \(evhttp_request_get_uri(request).map { String(cString: $0) } ?? "")")
        if incoming.path.hasPrefix("/_fake/") { return ControlAPI.handle(incoming, server: self) }
        if let token, !incoming.carries(token: token) {
            stats.unauthorized += 1
            return KubeReply.status(request, 401, reason: "Unauthorized", message: "Unauthorized")
        }
        MaaSModelEndpoints.handle(incoming, server: self)
    }
}

private func kubeServerRequestTrampoline(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context else { return }
    Unmanaged<KubeAPIServer>.fromOpaque(context).takeUnretainedValue().handle(request)
}

private func kubeServerSignalTrampoline(_ fd: Int32, _ what: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<KubeAPIServer>.fromOpaque(context).takeUnretainedValue().stop()
}
