import Foundation
import Glibc
import Synchronization

/// One request as the recording backend read it: parsed leniently, the way a naive backend would
/// (names trimmed, any `Transfer-Encoding` naming `chunked` taken as chunked, the first
/// `Content-Length` taken), so that anything a proxy lets through ambiguously shows up here.
struct BackendRequest: Sendable {
    /// Which accepted connection it came on (0 for the first).
    var connection: Int
    var method: String
    var target: String
    var version: String
    var headers: [(name: String, value: String)]
    /// The body as framed (chunked bodies decoded).
    var body: [UInt8]
    /// The bytes of this request exactly as they arrived, head and framed body.
    var raw: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The proxy's own access check (SPEC 3.2): `GET <endpoint>/v1/models` as maas-proxy.
    var isProbe: Bool {
        method == "GET" && target.hasSuffix("/v1/models") && header("User-Agent")?.hasPrefix("maas-proxy/") == true
    }

    /// For messages: `METHOD target`.
    var summary: String { "\(method) \(target)" }
}

/// What the backend writes back for one request.
struct BackendReply: Sendable {
    var bytes: [UInt8]
    /// Close the connection once the bytes are written (close-delimited bodies).
    var closeAfter = false

    static func raw(_ text: String, closeAfter: Bool = false) -> BackendReply {
        BackendReply(bytes: Array(text.utf8), closeAfter: closeAfter)
    }

    /// A complete response framed by `Content-Length`; `head` leaves the body out (a `HEAD` answer).
    static func response(
        status: Int = 200,
        reason: String = "OK",
        headers: [(String, String)] = [("Content-Type", "application/json")],
        body: [UInt8],
        head: Bool = false
    ) -> BackendReply {
        var text = "HTTP/1.1 \(status) \(reason)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(body.count)\r\n\r\n"
        return BackendReply(bytes: Array(text.utf8) + (head ? [] : body))
    }
}

/// A raw TCP backend inside the test process (127.0.0.1, ephemeral port, a thread per connection)
/// that records every byte it receives, per connection, and answers each request it can read:
/// the proxy's probes (`{"object":"list","data":[{"id":"m"}]}` for `grantedToken`, 401 otherwise),
/// everything else from `script`, or, when the script returns nil, a JSON echo of what it received
/// (`{"bodyBytes":…,"method":…,"target":…}`; a `HEAD` gets that answer's head only).
///
/// Stopped (listener and every connection shut) when the last reference goes, or by `stop()`.
final class RecordingBackend: Sendable {
    static let grantedToken = "Bearer t0k"
    static let servedModel = "m"

    let port: Int
    private let core: BackendCore

    init(script: @escaping @Sendable (BackendRequest) -> BackendReply? = { _ in nil }) throws {
        core = try BackendCore(script: script)
        port = core.port
        let core = self.core
        Thread { core.acceptLoop() }.start()
    }

    deinit {
        core.stop()
    }

    func stop() { core.stop() }

    /// Every request read so far, in arrival order, probes included.
    var requests: [BackendRequest] { core.state.withLock { $0.requests } }

    /// Requests other than the proxy's probes: what clients' calls became upstream.
    var forwarded: [BackendRequest] { requests.filter { !$0.isProbe } }

    var probes: [BackendRequest] { requests.filter(\.isProbe) }

    /// Everything received, one entry per accepted connection.
    var receivedPerConnection: [[UInt8]] { core.state.withLock { $0.connections.map(\.received) } }

    /// Bytes received that are not (yet) a complete request, per connection (empty when none).
    var unparsedBytes: [[UInt8]] {
        core.state.withLock { $0.connections.map(\.pending).filter { !$0.isEmpty } }
    }

    var receivedByteCount: Int { receivedPerConnection.reduce(0) { $0 + $1.count } }

    /// Waits until nothing new has arrived for `quiet` (at most `timeout`), so that a request the
    /// proxy sends late (a smuggled one) is counted before a test looks.
    func settle(quiet: Duration = .milliseconds(250), timeout: Duration = .seconds(3)) {
        let deadline = ContinuousClock.now + timeout
        var last = receivedByteCount
        var quietSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            let now = receivedByteCount
            if now != last {
                last = now
                quietSince = ContinuousClock.now
            } else if ContinuousClock.now - quietSince >= quiet {
                return
            }
        }
    }

    /// A readable account of what arrived, for failure messages.
    var transcript: String {
        receivedPerConnection.enumerated().map { index, bytes in
            "#\(index): " + String(decoding: bytes, as: UTF8.self).debugDescription
        }.joined(separator: "\n")
    }
}

private struct BackendConnection {
    var fd: Int32
    var open = true
    var received: [UInt8] = []
    var pending: [UInt8] = []
}

private struct BackendState {
    var stopped = false
    var listenerClosed = false
    var connections: [BackendConnection] = []
    var requests: [BackendRequest] = []
}

private final class BackendCore: Sendable {
    let listener: Int32
    let port: Int
    let script: @Sendable (BackendRequest) -> BackendReply?
    let state = Mutex(BackendState())

    init(script: @escaping @Sendable (BackendRequest) -> BackendReply?) throws {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RecordingBackendError.setup("socket", errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw RecordingBackendError.setup("bind/listen", code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: actual.sin_port))
    }

    /// Shuts the listener and every open connection; their threads then close the sockets.
    func stop() {
        state.withLock { state in
            state.stopped = true
            if !state.listenerClosed { shutdown(listener, Int32(SHUT_RDWR)) }
            for connection in state.connections where connection.open {
                shutdown(connection.fd, Int32(SHUT_RDWR))
            }
        }
    }

    func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                break
            }
            let index: Int? = state.withLock { state in
                guard !state.stopped else { return nil }
                state.connections.append(BackendConnection(fd: fd))
                return state.connections.count - 1
            }
            guard let index else {
                close(fd)
                break
            }
            Thread { [self] in serve(connection: index, fd: fd) }.start()
        }
        state.withLock { state in
            state.listenerClosed = true
            close(listener)
        }
    }

    private func serve(connection index: Int, fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var pending: [UInt8] = []
        reading: while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            let bytes = Array(chunk[..<count])
            pending += bytes
            state.withLock { $0.connections[index].received += bytes }
            while let next = LenientRequestParser.parse(pending) {
                let (parsed, consumed) = next
                var request = parsed
                request.connection = index
                pending.removeFirst(consumed)
                state.withLock { state in
                    state.requests.append(request)
                    state.connections[index].pending = pending
                }
                let reply = request.isProbe ? Self.probeReply(request) : (script(request) ?? Self.echo(request))
                guard Self.writeAll(fd, reply.bytes), !reply.closeAfter else { break reading }
            }
            state.withLock { $0.connections[index].pending = pending }
        }
        state.withLock { state in
            state.connections[index].open = false
            close(fd)
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    static func probeReply(_ request: BackendRequest) -> BackendReply {
        let token = request.header("Authorization")?.trimmingCharacters(in: .whitespaces)
        if token == RecordingBackend.grantedToken {
            let list = #"{"object":"list","data":[{"id":"\#(RecordingBackend.servedModel)"}]}"#
            return .response(body: Array(list.utf8))
        }
        return .response(status: 401, reason: "Unauthorized", body: Array(#"{"error":"unauthorized"}"#.utf8))
    }

    static func echo(_ request: BackendRequest) -> BackendReply {
        let object: [String: Any] = [
            "method": request.method, "target": request.target, "bodyBytes": request.body.count,
        ]
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map(Array.init) ?? []
        return .response(body: body, head: request.method == "HEAD")
    }
}

enum RecordingBackendError: Error {
    case setup(String, Int32)
}

/// Reads requests off a connection the way a forgiving server does. Never refuses: a request it
/// cannot frame is taken with the rest of the bytes as its body.
enum LenientRequestParser {
    private static let crlf: [UInt8] = [13, 10]

    /// The first complete request in `bytes` and how many bytes it took; nil while incomplete.
    static func parse(_ bytes: [UInt8]) -> (BackendRequest, Int)? {
        var start = 0
        // RFC 9112 2.2: empty lines before a request line are ignored.
        while bytes.count >= start + 2 && bytes[start] == 13 && bytes[start + 1] == 10 { start += 2 }
        guard let headEnd = bytes[start...].firstRange(of: [13, 10, 13, 10]) else { return nil }
        let lines = split(Array(bytes[start..<headEnd.lowerBound]))
        guard let requestLine = lines.first else { return nil }
        let line = String(decoding: requestLine, as: UTF8.self)
        let firstSpace = line.firstIndex(of: " ")
        let lastSpace = line.lastIndex(of: " ")
        let method = firstSpace.map { String(line[..<$0]) } ?? line
        let version = lastSpace.map { String(line[line.index(after: $0)...]) } ?? ""
        var target = ""
        if let firstSpace, let lastSpace, firstSpace < lastSpace {
            target = String(line[line.index(after: firstSpace)..<lastSpace])
        }
        var headers: [(name: String, value: String)] = []
        for raw in lines.dropFirst() {
            let text = String(decoding: raw, as: UTF8.self)
            if let first = raw.first, first == 32 || first == 9, !headers.isEmpty {
                headers[headers.count - 1].value += " " + text.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = text.firstIndex(of: ":") else {
                headers.append((text, ""))
                continue
            }
            headers.append(
                (
                    text[..<colon].trimmingCharacters(in: .whitespacesAndNewlines),
                    text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                )
            )
        }
        let bodyStart = headEnd.upperBound
        let chunked = headers.contains {
            $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked")
        }
        var body: [UInt8] = []
        var end = bodyStart
        if chunked {
            guard let decoded = decodeChunked(bytes, from: bodyStart) else { return nil }
            body = decoded.0
            end = decoded.1
        } else if let length = headers.first(where: { $0.name.lowercased() == "content-length" })
            .flatMap({ leadingInteger($0.value) }), length > 0
        {
            guard bytes.count >= bodyStart + length else { return nil }
            body = Array(bytes[bodyStart..<bodyStart + length])
            end = bodyStart + length
        }
        let request = BackendRequest(
            connection: 0,
            method: method,
            target: target,
            version: version,
            headers: headers,
            body: body,
            raw: Array(bytes[start..<end])
        )
        return (request, end)
    }

    private static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var rest = bytes[...]
        while let range = rest.firstRange(of: crlf) {
            lines.append(Array(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        lines.append(Array(rest))
        return lines
    }

    /// Digits after optional whitespace and sign, as `strtol` would read them.
    private static func leadingInteger(_ text: String) -> Int? {
        let digits = text.trimmingCharacters(in: .whitespaces).drop { $0 == "+" }.prefix { $0.isASCII && $0.isNumber }
        return Int(digits)
    }

    /// The decoded body and the index after the last chunk and trailers; nil while incomplete.
    /// A size it cannot read ends the body with everything that is left.
    private static func decodeChunked(_ bytes: [UInt8], from start: Int) -> ([UInt8], Int)? {
        var body: [UInt8] = []
        var index = start
        while true {
            guard let lineEnd = bytes[index...].firstRange(of: crlf) else { return nil }
            let line = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            let sizeText =
                line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                return (body + bytes[index...], bytes.count)
            }
            index = lineEnd.upperBound
            if size == 0 {
                // Trailers, up to the empty line.
                while true {
                    guard let trailerEnd = bytes[index...].firstRange(of: crlf) else { return nil }
                    let empty = trailerEnd.lowerBound == index
                    index = trailerEnd.upperBound
                    if empty { return (body, index) }
                }
            }
            guard bytes.count >= index + size + 2 else { return nil }
            body += bytes[index..<index + size]
            index += size + 2
        }
    }
}
