import Foundation
import Glibc

/// A response as read off the wire.
struct RawResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(body)) }
}

/// A blocking HTTP/1.1 client over a plain socket, so tests control every byte they send.
final class RawHTTPClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, host: String = "127.0.0.1", timeoutSeconds: Int = 30) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw RawHTTPError.connectFailed(port)
        }
    }

    deinit {
        close(fd)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw RawHTTPError.writeFailed }
            offset += written
        }
    }

    /// True when the peer closes the connection with nothing more to read (within the receive timeout).
    func readsEndOfStream() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 0
    }

    /// Sends a request with the given headers (Host and Content-Length added) and reads the response.
    func request(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = []
    ) throws -> RawResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        try send(Array(text.utf8) + body)
        return try readResponse(method: method)
    }

    /// Reads one response (Content-Length, chunked, or until close).
    func readResponse(method: String = "GET") throws -> RawResponse {
        var response = try readHead()
        let status = response.status
        if method == "HEAD" || status == 204 || status == 304 { return response }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            response.body = try readExactly(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunked()
        } else {
            response.body = try readToEnd()
        }
        return response
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 { throw RawHTTPError.readFailed(errno) }
        if count == 0 { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        while true {
            if let index = buffer.firstRange(of: marker)?.lowerBound { return index }
            guard try fill() else { throw RawHTTPError.closed }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { guard try fill() else { throw RawHTTPError.closed } }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while let chunk = try readChunk() { body += chunk }
        return body
    }

    func readUntilMarker(_ marker: [UInt8]) throws -> Int { try readUntil(marker) }

    func readCount(_ count: Int) throws -> [UInt8] { try readExactly(count) }

    /// Removes and returns the first `count` buffered bytes.
    func takeBuffered(_ count: Int) -> [UInt8] {
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    /// Reads until the peer closes; true when it closed (EOF or reset) within the socket timeout.
    func waitForClose() -> Bool {
        while true {
            do {
                guard try fill() else { return true }
            } catch RawHTTPError.readFailed(let code) {
                return code == ECONNRESET
            } catch {
                return false
            }
        }
    }

    /// Closes the socket now (the client going away).
    func closeNow() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    private func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffer.removeAll() }
        return buffer
    }
}

enum RawHTTPError: Error {
    case connectFailed(Int)
    case writeFailed
    case readFailed(Int32)
    case closed
    case malformed(String)
}
