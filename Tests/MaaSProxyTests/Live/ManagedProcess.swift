import Foundation
import Synchronization
import Testing

/// A product of this package started as a user would, with its output captured line by line.
///
/// Spawned with `posix_spawn` and reaped with `waitpid` here, so the exit status is ours to read
/// (Foundation's `Process` did not always notice a child's exit). Terminated (SIGTERM, then SIGKILL)
/// when the test drops it, so no test leaves a process behind.
final class ManagedProcess: @unchecked Sendable {
    let pid: pid_t
    private let lines = LineBuffer()
    private let errorLines = LineBuffer()
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `product` (an executable built next to the test bundle) with `arguments`.
    init(product: String, arguments: [String]) throws {
        let executable = ManagedProcess.productsDirectory.appendingPathComponent(product).path
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw ManagedProcessError.spawnFailed(errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard status == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw ManagedProcessError.spawnFailed(status)
        }
        pid = child
        ManagedProcess.drain(outPipe[0], into: lines)
        ManagedProcess.drain(errPipe[0], into: errorLines)
    }

    deinit {
        terminate()
        // Under `--sanitize=address` the products report memory errors on stderr: fail the test.
        let errors = errorOutput
        if let start = errors.firstIndex(where: { $0.contains("AddressSanitizer") }) {
            // The whole report (its stack and the shadow bytes), not only its first line: a CI run's
            // output is all there is to go on.
            let report = errors[start...].prefix(80).joined(separator: "\n")
            Issue.record("AddressSanitizer in \(pid):\n\(report)")
        }
    }

    /// Where `swift build` put the executables: next to the test bundle.
    static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    var output: [String] { lines.all }
    var errorOutput: [String] { errorLines.all }

    /// stdout once it has been quiet for `quiet` (at most `timeout`): the lines a test's last requests
    /// caused may still be in the pipe when the answer arrives, above all on a loaded machine.
    func settledOutput(quiet: Duration = .milliseconds(150), timeout: Duration = .seconds(3)) -> [String] {
        let deadline = ContinuousClock.now + timeout
        var seen = lines.all.count
        var quietSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            let count = lines.all.count
            if count != seen {
                seen = count
                quietSince = ContinuousClock.now
            } else if ContinuousClock.now - quietSince >= quiet {
                break
            }
        }
        return lines.all
    }

    var isRunning: Bool { reap(blocking: false) == nil }

    /// Waits until a stdout line satisfies `predicate`; returns it, or nil at the timeout.
    func waitForLine(timeout: Duration = .seconds(10), where predicate: (String) -> Bool) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = output.first(where: predicate) { return match }
            if !isRunning { return output.first(where: predicate) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for exit; returns the exit status (128+N for signal N), or nil when it did not exit in time.
    func waitForExit(timeout: Duration = .seconds(10)) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = reap(blocking: false) { return status }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return reap(blocking: false)
    }

    func terminate() {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if waitForExit(timeout: .seconds(5)) == nil {
            kill(pid, SIGKILL)
            _ = reap(blocking: true)
        }
    }

    private func reap(blocking: Bool) -> Int32? {
        exitStatus.withLock { known in
            if let known { return known }
            var status: Int32 = 0
            guard waitpid(pid, &status, blocking ? 0 : WNOHANG) == pid else { return nil }
            let exited = status & 0x7f == 0
            known = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return known
        }
    }

    private static func drain(_ fd: Int32, into lines: LineBuffer) {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                lines.append(Data(buffer[..<count]))
            }
            close(fd)
        }
        thread.start()
    }
}

enum ManagedProcessError: Error {
    case spawnFailed(Int32)
}

/// Output split into lines as it arrives from a pipe, readable from any thread.
final class LineBuffer: Sendable {
    private let state = Mutex<(partial: Data, lines: [String])>((Data(), []))

    var all: [String] { state.withLock { $0.lines } }

    func append(_ chunk: Data) {
        state.withLock { state in
            state.partial.append(chunk)
            while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                state.lines.append(String(decoding: state.partial[state.partial.startIndex..<newline], as: UTF8.self))
                state.partial.removeSubrange(state.partial.startIndex...newline)
            }
        }
    }
}
