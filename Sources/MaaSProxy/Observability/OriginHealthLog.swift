import AccessCheck
import Logging
import Routing
import Synchronization

/// Logs backend origins going down and coming back (SPEC 3.2, 6).
///
/// One line per transition, at most `linesPerSecond` a second: a catalog of thousands of dead
/// backends would otherwise write thousands of lines at its first listing. Lines beyond the limit
/// are counted, and the next line written says how many were suppressed before it
/// (`suppressed`). The metrics count every transition.
final class OriginHealthLog: Sendable {
    static let linesPerSecond = 5

    private struct Window {
        var start = MonotonicInstant(nanoseconds: 0)
        var written = 0
        var suppressed = 0
    }

    private let logger: Logger
    private let window = Mutex(Window())

    init(logger: Logger) {
        self.logger = logger
    }

    func record(_ origin: BackendOrigin, _ transition: OriginTransition) {
        let now = MonotonicClock.now
        let suppressed = window.withLock { window -> Int? in
            if now.since(window.start) >= .seconds(1) {
                window.start = now
                window.written = 0
            }
            guard window.written < Self.linesPerSecond else {
                window.suppressed += 1
                return nil
            }
            window.written += 1
            defer { window.suppressed = 0 }
            return window.suppressed
        }
        guard let suppressed else { return }
        var metadata: Logger.Metadata = ["origin": "\(origin)"]
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        switch transition {
        case .wentDown(let interval, let reason):
            metadata["reason"] = "\(reason)"
            metadata["retryInMs"] = "\(Int(interval.milliseconds.rounded()))"
            logger.warning(
                "backend origin down: its probes are unavailable and its calls 502 until a trial answers",
                metadata: metadata
            )
        case .cameUp(let downFor):
            metadata["downForMs"] = "\(Int(downFor.milliseconds.rounded()))"
            logger.info("backend origin answers again", metadata: metadata)
        }
    }
}
