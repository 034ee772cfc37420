import Foundation
import Logging
import Routing
import Synchronization

/// The file model source (SPEC 1): manifests in files and directories, re-read when they change.
///
/// A poller thread compares each file's size, modification time and inode every second (so a change
/// is live within 2 s); `reload()` rescans at once (SIGHUP). A file that no longer parses keeps its
/// last good models; the error is logged and counted. Scans are serialised by a lock, so `reload()`
/// is safe from any thread.
final class FileCatalogSource: Sendable {
    static let sourceName = "files"
    /// Lower than the Kubernetes source: a model in both comes from Kubernetes (SPEC 1).
    static let priority = 0

    private struct FileState {
        var signature: FileSignature
        var models: [MaaSModel]
    }

    private struct State {
        var files: [String: FileState] = [:]
        var published = false
        var stopped = false
    }

    private let paths: [String]
    private let store: CatalogStore
    private let logger: Logger
    private let pollInterval: Duration
    private let state = Mutex(State())

    init(paths: [String], store: CatalogStore, logger: Logger, pollInterval: Duration = .seconds(1)) {
        self.paths = paths
        self.store = store
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Loads every path once and starts polling. A listed path that does not exist is an error.
    func start() throws(CatalogSourceError) {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw CatalogSourceError(message: "models path \(path) does not exist")
        }
        scan()
        let thread = Thread { [self] in self.poll() }
        thread.name = "catalog-files"
        thread.start()
    }

    /// Rescans now (SIGHUP).
    func reload() { scan() }

    func stop() { state.withLock { $0.stopped = true } }

    private func poll() {
        while true {
            let step = 0.05
            var waited = 0.0
            while waited < Double(pollInterval.nanosecondsClamped) / 1e9 {
                if state.withLock({ $0.stopped }) { return }
                Thread.sleep(forTimeInterval: step)
                waited += step
            }
            scan()
        }
    }

    private func scan() {
        state.withLock { state in
            let found = ManifestFiles.list(paths)
            var changed = !state.published
            for path in state.files.keys where found[path] == nil {
                logger.info("manifest removed", metadata: ["file": "\(path)"])
                state.files[path] = nil
                changed = true
            }
            for (path, signature) in found.sorted(by: { $0.key < $1.key })
            where state.files[path]?.signature != signature {
                changed = true
                let previous = state.files[path]?.models ?? []
                state.files[path] = FileState(signature: signature, models: load(path, keeping: previous))
            }
            guard changed else { return }
            state.published = true
            store.publish(source: Self.sourceName, priority: Self.priority, models: merged(state.files))
        }
    }

    /// Decodes one file; on failure logs, counts, and keeps `previous` (its last good contents).
    private func load(_ path: String, keeping previous: [MaaSModel]) -> [MaaSModel] {
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let decoded = try ManifestDecoder.decode(text, sourceName: path)
            for warning in decoded.warnings { logger.warning("\(warning)", metadata: ["file": "\(path)"]) }
            return decoded.models
        } catch {
            store.countReloadError()
            logger.error(
                "manifest not loaded; keeping its last good contents",
                metadata: ["file": "\(path)", "error": "\(error)", "keptModels": "\(previous.count)"]
            )
            return previous
        }
    }

    /// Models of every file in path order; the first file that defines an identity wins.
    private func merged(_ files: [String: FileState]) -> [MaaSModel] {
        var seen: [ModelID: String] = [:]
        var models: [MaaSModel] = []
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            for model in file.models {
                if let first = seen[model.id] {
                    logger.warning(
                        "model defined in several files; using the first",
                        metadata: ["model": "\(model.id)", "using": "\(first)", "ignored": "\(path)"]
                    )
                    continue
                }
                seen[model.id] = path
                models.append(model)
            }
        }
        return models
    }
}

struct CatalogSourceError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
