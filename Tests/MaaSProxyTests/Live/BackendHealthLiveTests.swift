import Foundation
import Glibc
import Testing

/// Backend health shared across callers, against real sockets (SPEC 3.2): a thousand unreachable
/// models cost a live one nothing, a backend that accepts and never answers is down after one
/// deadline, a forwarded call to a down origin is a 502 at once, and a backend that comes back is
/// listed again after its interval.
@Suite(.serialized)
struct BackendHealthLiveTests {
    static let liveConfig = "models:\n  - {prefix: /live, ids: [live], default: {status: 200}}\n"

    static func model(
        _ name: String,
        namespace: String,
        kind: String = "LLMInferenceService",
        endpoint: String
    )
        -> String
    {
        """
        apiVersion: maas.opendatahub.io/v1alpha1
        kind: MaaSModel
        metadata: {name: \(name), namespace: \(namespace)}
        spec: {modelRef: {kind: \(kind), name: \(name)}}
        status: {phase: Ready, endpoint: "\(endpoint)"}
        """
    }

    /// `count` ports on 127.0.0.1 that refuse connections right now (nothing listens on them).
    static func closedPorts(_ count: Int) -> [Int] {
        var ports: [Int] = []
        var port = 1
        while ports.count < count && port < 30_000 {
            if !TCPProbe.accepts(port: port) { ports.append(port) }
            port += 1
        }
        return ports
    }

    static func writeCatalog(_ documents: [String], in directory: URL) throws -> URL {
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try documents.joined(separator: "\n---\n")
            .write(to: models.appendingPathComponent("catalog.yaml"), atomically: true, encoding: .utf8)
        return models
    }

    /// The listing for `token` and how long it took.
    static func timedListing(
        _ proxy: RunningProxy,
        token: String,
        noCache: Bool = false
    ) throws -> (
        [String], Duration
    ) {
        let started = ContinuousClock.now
        let ids = try proxy.listedIDs(token: token, extraHeaders: noCache ? [("Cache-Control", "no-cache")] : [])
        return (ids, ContinuousClock.now - started)
    }

    /// The sum of every sample of `name` (all label sets) on the admin listener's `/metrics`.
    static func metric(_ proxy: RunningProxy, _ name: String, labels: String = "") throws -> Double {
        let text = String(
            decoding: try RawHTTPClient(port: proxy.adminPort).request("GET", "/metrics").body,
            as: UTF8.self
        )
        return text.split(separator: "\n").filter { line in
            line.hasPrefix(name + "{") || line.hasPrefix(name + " ")
        }.filter { labels.isEmpty || $0.contains(labels) }.compactMap { line in
            line.split(separator: " ").last.flatMap { Double($0) }
        }.reduce(0, +)
    }

    @Test func aThousandUnreachableModelsCostTheLiveOneNothing() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try LiveHarness.startBackend(config: Self.liveConfig, in: directory)
        let dead = Self.closedPorts(1_000)
        #expect(dead.count == 1_000)
        let documents =
            dead.enumerated().map { index, port in
                Self.model("d\(index)", namespace: "dead", endpoint: "http://127.0.0.1:\(port)/d\(index)")
            } + [Self.model("live", namespace: "live", endpoint: "\(backend.baseURL)/live")]
        let models = try Self.writeCatalog(documents, in: directory)
        let proxy = try LiveHarness.startProxy(arguments: ["--models", models.path, "--probe-deadline", "5s"])

        // Cold: every dead origin is tried once (a refused connect is not retried), not for 5 s.
        let (first, firstTook) = try Self.timedListing(proxy, token: "Bearer a")
        #expect(first == ["live"])
        #expect(firstTook < .milliseconds(2_500), "cold listing took \(firstTook)")
        #expect(try Self.metric(proxy, "maas_proxy_probe_attempts_total") == 1_001)
        #expect(try Self.metric(proxy, "maas_proxy_backend_origins_down") == 1_000)
        #expect(try Self.metric(proxy, "maas_proxy_backend_origin_transitions_total", labels: "to=\"down\"") == 1_000)

        // Another caller, cold cache: the dead origins cost no traffic; only the live one is probed.
        let (second, secondTook) = try Self.timedListing(proxy, token: "Bearer b")
        #expect(second == ["live"])
        #expect(secondTook < .milliseconds(1_000), "second listing took \(secondTook)")
        #expect(try Self.metric(proxy, "maas_proxy_probe_attempts_total") == 1_002)
        #expect(try backend.probes().count == 2)
        // A thousand transitions, but the log holds a few lines a second, not a thousand.
        let downLines = proxy.process.settledOutput().filter { $0.contains("backend origin down") }.count
        #expect(downLines >= 1 && downLines <= 20, "\(downLines) lines")
    }

    @Test func aBackendThatAcceptsAndNeverAnswersIsDownAfterOneDeadline() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try LiveHarness.startBackend(config: Self.liveConfig, in: directory)
        let silent = try SilentListener()
        let silentBase = "http://127.0.0.1:\(silent.port)"
        let documents =
            (1...3).map { Self.model("s\($0)", namespace: "silent", endpoint: "\(silentBase)/s\($0)") } + [
                Self.model("ext", namespace: "silent", kind: "ExternalModel", endpoint: "\(silentBase)/ext"),
                Self.model("live", namespace: "live", endpoint: "\(backend.baseURL)/live"),
            ]
        let models = try Self.writeCatalog(documents, in: directory)
        let proxy = try LiveHarness.startProxy(arguments: ["--models", models.path, "--probe-deadline", "1s"])

        // The first listing waits for the silent origin until the deadline, and lists the live model.
        let (first, firstTook) = try Self.timedListing(proxy, token: "Bearer a")
        #expect(first == ["ext", "live"])
        #expect(firstTook >= .milliseconds(900) && firstTook < .milliseconds(2_500), "took \(firstTook)")
        // Three models behind it, one connection: an origin that has not answered gets one probe at a time.
        #expect(eventually(timeout: .seconds(2)) { silent.accepted == 1 })

        // Down now: the next caller does not wait for it.
        let (second, secondTook) = try Self.timedListing(proxy, token: "Bearer b")
        #expect(second == ["ext", "live"])
        #expect(secondTook < .milliseconds(500), "took \(secondTook)")

        // A forwarded call to the down origin is a 502 at once, not a wait for the response timeout.
        let started = ContinuousClock.now
        let response = try RawHTTPClient(port: proxy.port, timeoutSeconds: 10).request(
            "POST",
            "/ext/v1/chat/completions",
            headers: [("Authorization", "Bearer a"), ("Content-Type", "application/json")],
            body: Array(#"{"model":"ext"}"#.utf8)
        )
        #expect(ContinuousClock.now - started < .milliseconds(500))
        #expect(response.status == 502)
        let error = (try response.json() as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "upstream_unavailable")
        #expect(error?["type"] as? String == "upstream_error")
        #expect(
            eventually {
                proxy.process.output.contains {
                    $0.contains("\"msg\":\"access\"") && $0.contains("/ext/v1/chat/completions")
                        && $0.contains("\"status\":502")
                }
            }
        )
        #expect(silent.accepted == 1)
    }

    @Test func aForwardedCallThatCannotConnectMarksTheOriginDownForTheNext() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try #require(Self.closedPorts(1).first)
        let models = try Self.writeCatalog(
            [Self.model("gone", namespace: "ext", kind: "ExternalModel", endpoint: "http://127.0.0.1:\(port)/gone")],
            in: directory
        )
        let proxy = try LiveHarness.startProxy(arguments: ["--models", models.path])
        func post() throws -> Int {
            try RawHTTPClient(port: proxy.port).request(
                "POST",
                "/gone/v1/chat/completions",
                headers: [("Authorization", "Bearer a"), ("Content-Type", "application/json")],
                body: Array(#"{"model":"gone"}"#.utf8)
            ).status
        }
        #expect(try post() == 502)
        #expect(try Self.metric(proxy, "maas_proxy_backend_origins_down") == 1)
        #expect(try post() == 502)
        #expect(try post() == 502)
        // Only the first call tried (and logged its failure); the others were refused at once.
        #expect(eventually { proxy.process.output.filter { $0.contains("\"msg\":\"access\"") }.count == 3 })
        #expect(proxy.process.settledOutput().filter { $0.contains("upstream call failed") }.count == 1)
        #expect(proxy.process.output.filter { $0.contains("backend origin down") }.count == 1)
    }

    @Test func aBackendThatGoesDownIsRefusedAtOnceAndListedAgainWhenItComesBack() throws {
        let directory = try LiveHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var backend: FakeBackend? = try LiveHarness.startBackend(config: Self.liveConfig, in: directory)
        let port = try #require(backend?.port)
        let models = try Self.writeCatalog(
            [Self.model("live", namespace: "live", endpoint: "http://127.0.0.1:\(port)/live")],
            in: directory
        )
        let proxy = try LiveHarness.startProxy(arguments: ["--models", models.path, "--probe-deadline", "3s"])
        #expect(try Self.timedListing(proxy, token: "Bearer a", noCache: true).0 == ["live"])

        backend?.process.terminate()
        _ = backend?.process.waitForExit()
        backend = nil
        let wentDown = ContinuousClock.now
        // The first listing after it went down tries once (refused: no retries); the second not at all.
        let (first, firstTook) = try Self.timedListing(proxy, token: "Bearer a", noCache: true)
        #expect(first == [])
        #expect(firstTook < .milliseconds(300), "took \(firstTook)")
        let (second, secondTook) = try Self.timedListing(proxy, token: "Bearer b", noCache: true)
        #expect(second == [])
        #expect(secondTook < .milliseconds(300), "took \(secondTook)")
        #expect(try Self.metric(proxy, "maas_proxy_backend_origins_down") == 1)

        // Back on the same port: listed again once the interval (at most 1 s) let a trial through.
        let file = directory.appendingPathComponent("again.yaml")
        try Self.liveConfig.write(to: file, atomically: true, encoding: .utf8)
        let again = try ManagedProcess(
            product: "fake-model-server",
            arguments: ["--listen", "127.0.0.1:\(port)", "--config", file.path, "--name", "again"]
        )
        defer { again.terminate() }
        #expect(again.waitForLine(where: { $0.hasPrefix("listening ") }) != nil)
        #expect(
            try eventually(timeout: .seconds(4)) {
                try proxy.listedIDs(token: "Bearer c", extraHeaders: [("Cache-Control", "no-cache")]) == ["live"]
            }
        )
        #expect(ContinuousClock.now - wentDown >= .milliseconds(700))
        #expect(try Self.metric(proxy, "maas_proxy_backend_origins_down") == 0)
        #expect(try Self.metric(proxy, "maas_proxy_backend_origin_transitions_total", labels: "to=\"up\"") == 1)
        #expect(proxy.process.settledOutput().contains { $0.contains("backend origin answers again") })
    }
}

/// Connects once to 127.0.0.1:`port` (blocking): true when something accepts.
enum TCPProbe {
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections and never reads or answers: a backend
/// that hangs. Counts what it accepted; closes everything when released.
final class SilentListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var connections: [Int32] = []
    private var stopped = false

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw LiveHarnessError.didNotStart("silent listener", []) }
        port = Int(UInt16(bigEndian: address.sin_port))
        let listener = self
        Thread { listener.acceptLoop() }.start()
    }

    deinit {
        lock.withLock { stopped = true }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        for connection in connections { close(connection) }
    }

    var accepted: Int { lock.withLock { connections.count } }

    private func acceptLoop() {
        while true {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            let keep = lock.withLock { () -> Bool in
                guard !stopped else { return false }
                connections.append(connection)
                return true
            }
            if !keep {
                close(connection)
                return
            }
        }
    }
}
