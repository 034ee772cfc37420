import Foundation
import Synchronization

/// A product of this package started as a user would, with its output captured line by line.
///
/// Terminated (SIGTERM, then SIGKILL) when the test drops it, so no test leaves a process behind.
final class ManagedProcess: @unchecked Sendable {
    let process = Process()
    private let lines = LineBuffer()
    private let outputPipe = Pipe()
    private let errorPipe = Pipe()
    private let errorLines = LineBuffer()

    /// Starts `product` (an executable built next to the test bundle) with `arguments`.
    init(product: String, arguments: [String], currentDirectory: URL? = nil) throws {
        process.executableURL = ManagedProcess.productsDirectory.appendingPathComponent(product)
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        ManagedProcess.collect(outputPipe, into: lines)
        ManagedProcess.collect(errorPipe, into: errorLines)
        try process.run()
    }

    deinit {
        terminate()
    }

    /// Where `swift build` put the executables: next to the test bundle.
    static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    var output: [String] { lines.all }
    var errorOutput: [String] { errorLines.all }

    /// Waits until a stdout line satisfies `predicate`; returns it, or nil at the timeout.
    func waitForLine(timeout: Duration = .seconds(10), where predicate: (String) -> Bool) -> String? {
        let deadline = ContinuousClock.now + timeout
        var seen = 0
        while ContinuousClock.now < deadline {
            let snapshot = output
            if let match = snapshot[seen...].first(where: predicate) { return match }
            seen = snapshot.count
            if !process.isRunning { return output[seen...].first(where: predicate) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }

    func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for exit; returns the status, or nil when it did not exit in time.
    func waitForExit(timeout: Duration = .seconds(10)) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func terminate() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if waitForExit(timeout: .seconds(5)) == nil { kill(process.processIdentifier, SIGKILL) }
    }

    private static func collect(_ pipe: Pipe, into lines: LineBuffer) {
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            lines.append(chunk)
        }
    }
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
