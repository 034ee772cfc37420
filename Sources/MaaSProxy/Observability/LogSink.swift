import Foundation
import Synchronization

/// Where log lines go: standard output in the product, memory or an injected writer in tests.
///
/// `write(_:)` takes one whole line (the trailing newline included) and delivers it in one piece:
/// writes hold a lock, so lines from different threads never interleave even when the kernel
/// accepts a long line in parts. Every logger and the access log share `standardOutput`, hence
/// one lock for the stream. Thread-safe.
final class LogSink: Sendable {
    private enum Target {
        case fileDescriptor(Int32)
        case memory
        case writer(@Sendable ([UInt8]) -> Void)
    }

    /// The process's standard output.
    static let standardOutput = LogSink(target: .fileDescriptor(STDOUT_FILENO))

    private let target: Target
    /// Held for every write; holds the lines of a capturing sink.
    private let lines = Mutex<[[UInt8]]>([])

    private init(target: Target) { self.target = target }

    /// A sink writing to `fileDescriptor`, which the caller keeps open while the sink is in use.
    convenience init(fileDescriptor: Int32) { self.init(target: .fileDescriptor(fileDescriptor)) }

    /// A sink handing every line to `writer`, one call per line, one call at a time.
    convenience init(writer: @escaping @Sendable ([UInt8]) -> Void) { self.init(target: .writer(writer)) }

    /// A sink that keeps lines in memory (`captured`).
    static func capturing() -> LogSink { LogSink(target: .memory) }

    /// The lines a capturing sink holds, in write order, each with its newline.
    var captured: [String] { lines.withLock { $0.map { String(decoding: $0, as: UTF8.self) } } }

    /// Writes one line. A stream that fails (closed, full disk) loses the line: logging never
    /// stops the proxy.
    func write(_ line: [UInt8]) {
        lines.withLock { lines in
            switch target {
            case .fileDescriptor(let fd): Self.writeFully(fd, line)
            case .memory: lines.append(line)
            case .writer(let writer): writer(line)
            }
        }
    }

    private static func writeFully(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, base + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    // A non-blocking stdout (set by whoever shares it): wait until it drains, briefly.
                    var request = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&request, 1, 1000) <= 0 { return }
                } else {
                    return
                }
            }
        }
    }
}
