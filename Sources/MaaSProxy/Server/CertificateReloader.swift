import AccessCheck
import Logging

/// Keeps the listeners' certificate current (SPEC 6, issue 4): the files are polled every second
/// and re-read on SIGHUP. A pair that fails to load is logged and the one in use kept.
///
/// Lives on the control loop; every method runs on its thread.
final class CertificateReloader: @unchecked Sendable {
    private let tls: ListenerTLS
    private let loop: EventLoop
    private let logger: Logger
    private var lastSeen: [FileSignature?]
    private var timer: (any ScheduledWork)?
    private static let pollInterval = Duration.seconds(1)

    init(tls: ListenerTLS, loop: EventLoop, logger: Logger) {
        self.tls = tls
        self.loop = loop
        self.logger = logger
        self.lastSeen = tls.fileSignatures
    }

    func start() { schedulePoll() }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    /// Re-reads the pair now (SIGHUP).
    func reload(reason: String) {
        lastSeen = tls.fileSignatures
        do {
            try tls.reload()
            logger.info(
                "listener certificate reloaded",
                metadata: ["reason": "\(reason)", "certificate": "\(tls.certificatePath)"]
            )
        } catch {
            logger.error(
                "listener certificate not reloaded; the previous one stays in use",
                metadata: ["reason": "\(reason)", "error": "\(error)"]
            )
        }
    }

    private func schedulePoll() {
        timer = loop.schedule(after: Self.pollInterval) { [weak self] in self?.poll() }
    }

    private func poll() {
        // cert-manager writes the certificate and the key one after the other: a pair caught
        // half-written fails to load (mismatch) and is retried at the next change, or on SIGHUP.
        if tls.fileSignatures != lastSeen { reload(reason: "files changed") }
        schedulePoll()
    }
}
