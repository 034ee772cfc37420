import Foundation
import Logging
import Routing
import Synchronization

/// The file model source (SPEC 1): manifests in the files and directories of `models.paths`,
/// re-read when they change, published to a `CatalogStore` as source `files`.
///
/// Contract:
/// - `start()` checks every listed path (a missing one is an error: the caller exits non-zero),
///   loads everything once and publishes — even an empty catalog, so the store becomes loaded —
///   then starts a poller thread. An empty directory is allowed, with a warning.
/// - The poller compares every file's size, modification time and inode, and the set of files,
///   every `pollInterval` (1 s), so a change is live within 2 s. `reload()` (SIGHUP) rescans at
///   once and re-reads every file, in case a change kept all three.
/// - A file is decoded only when its bytes changed. One that no longer reads or parses keeps its
///   last good models; the error is logged with the file name and counted in
///   `CatalogStore.reloadErrors`, once per change. A deleted file drops its models. Decoder
///   warnings are logged once per change of the file.
/// - The same identity in two files: the file whose path sorts first wins; a warning is logged
///   once while the conflict lasts.
/// - A new snapshot is published only when the merged model list changed.
///
/// Threads: `start()`, `reload()` and `stop()` may be called from any thread. Scans are
/// serialised by one lock and publish to the store while holding it, so store observers run on
/// the poller thread or the caller of `reload()`. After `stop()` returns nothing is published.
/// The poller keeps the source alive until `stop()`.
final class FileCatalogSource: Sendable {
    static let sourceName = "files"
    /// Lower than the Kubernetes source: a model in both comes from Kubernetes (SPEC 1).
    static let priority = 0

    private struct TrackedFile {
        var signature: FileSignature
        /// The bytes last read, whether or not they parsed; nil when the file could not be read.
        var contents: Data?
        /// The models of the last contents that parsed.
        var models: [MaaSModel]
    }

    /// One identity in two files.
    private struct Duplicate: Hashable {
        var model: ModelID
        var used: String
        var ignored: String
    }

    private enum Phase {
        case idle
        case running
        case stopped
    }

    private struct State {
        var phase = Phase.idle
        var files: [String: TrackedFile] = [:]
        /// What the store holds from this source; nil before the first publish.
        var published: [MaaSModel]?
        var duplicates: Set<Duplicate> = []
        /// Listed paths that disappeared while running (warned once until they come back).
        var vanished: Set<String> = []
    }

    /// The listed files and directories, as configured.
    let paths: [String]
    private let store: CatalogStore
    private let logger: Logger
    private let pollInterval: Duration
    private let state = Mutex(State())
    /// Read by the poller after every wait.
    private let stopping = Atomic<Bool>(false)
    /// The poller waits on it for one interval; `stop()` signals it, so stopping never waits for
    /// a whole interval and an idle process wakes once per interval, not every few milliseconds.
    private let wakeUp = DispatchSemaphore(value: 0)

    /// - Parameter pollInterval: how often the poller looks for changes; SPEC 1 wants 2 s at most.
    init(paths: [String], store: CatalogStore, logger: Logger, pollInterval: Duration = .seconds(1)) {
        self.paths = paths
        self.store = store
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Checks the paths, loads and publishes every manifest, and starts polling. Only the first
    /// call does anything.
    ///
    /// - Throws: `CatalogSourceError` as `check(paths:)`; nothing is published and no thread is started.
    func start() throws(CatalogSourceError) {
        try Self.check(paths: paths)
        let first = state.withLock { state -> Bool in
            guard state.phase == .idle else { return false }
            state.phase = .running
            return true
        }
        guard first else { return }
        // Normal when the catalog comes from Kubernetes only: worth saying, not worth a warning.
        if paths.isEmpty { logger.info("no models paths configured; the file catalog is empty") }
        for path in paths where ManifestFiles.kind(of: path) == .directory && ManifestFiles.list([path]).isEmpty {
            logger.warning("models directory holds no .yaml, .yml or .json files", metadata: ["path": "\(path)"])
        }
        scan(rereadAll: true)
        let thread = Thread { [self] in pollLoop() }
        thread.name = "catalog-files"
        thread.start()
    }

    /// Checks that every listed path exists and is a file or a directory (following symlinks), as
    /// `start()` does. Lets a caller replacing a source (new `models.paths` on SIGHUP) validate the
    /// new paths before stopping the old source.
    ///
    /// - Throws: `CatalogSourceError` naming every path that does not exist or is neither.
    static func check(paths: [String]) throws(CatalogSourceError) {
        let problems = paths.compactMap { path -> String? in
            switch ManifestFiles.kind(of: path) {
            case .file, .directory: nil
            case .missing: "models path \(path) does not exist"
            case .other: "models path \(path) is neither a file nor a directory"
            }
        }
        guard problems.isEmpty else { throw CatalogSourceError(message: problems.joined(separator: "; ")) }
    }

    /// Rescans now and re-reads every file (SIGHUP); returns when the new catalog is published.
    /// Does nothing before `start()` or after `stop()`.
    func reload() { scan(rereadAll: true) }

    /// Stops polling; waits for a scan in progress, after which nothing more is published. The
    /// models already published stay in the store.
    func stop() {
        stopping.store(true, ordering: .releasing)
        state.withLock { $0.phase = .stopped }
        wakeUp.signal()
    }

    private func pollLoop() {
        while true {
            _ = wakeUp.wait(timeout: .now() + .nanoseconds(Int(pollInterval.nanosecondsClamped)))
            if stopping.load(ordering: .acquiring) { return }
            scan(rereadAll: false)
        }
    }

    /// Brings the tracked files up to date and publishes when the merged models changed.
    ///
    /// - Parameter rereadAll: read every file even when its signature is unchanged.
    private func scan(rereadAll: Bool) {
        state.withLock { state in
            guard state.phase == .running else { return }
            noteVanishedPaths(&state)
            let found = ManifestFiles.list(paths)
            for (path, file) in state.files.sorted(by: { $0.key < $1.key }) where found[path] == nil {
                state.files[path] = nil
                logger.info(
                    "manifest removed; its models leave the catalog",
                    metadata: ["file": "\(path)", "models": .stringConvertible(file.models.count)]
                )
            }
            for (path, signature) in found.sorted(by: { $0.key < $1.key }) {
                let previous = state.files[path]
                if !rereadAll, previous?.signature == signature { continue }
                state.files[path] = refresh(path, signature: signature, previous: previous)
            }
            let models = merge(state.files, duplicates: &state.duplicates)
            guard state.published != models else { return }
            state.published = models
            store.publish(source: Self.sourceName, priority: Self.priority, models: models)
        }
    }

    /// Reads one file and decodes it when its bytes changed; on failure logs, counts, and keeps
    /// the previous models (its last good contents).
    private func refresh(_ path: String, signature: FileSignature, previous: TrackedFile?) -> TrackedFile {
        var file = previous ?? TrackedFile(signature: signature, contents: nil, models: [])
        let unchanged = previous?.signature == signature
        file.signature = signature
        let contents: Data
        do {
            contents = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            // Still unreadable and untouched: the error was already logged and counted.
            if unchanged, previous?.contents == nil { return file }
            file.contents = nil
            failed(path, error: "cannot read the file: \(error.localizedDescription)", kept: file.models.count)
            return file
        }
        if let previous, previous.contents == contents { return file }
        file.contents = contents
        guard var text = String(data: contents, encoding: .utf8) else {
            failed(path, error: "\(path): not valid UTF-8", kept: file.models.count)
            return file
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        do {
            let decoded = try ManifestDecoder.decode(text, sourceName: path)
            for warning in decoded.warnings { logger.warning("\(warning)", metadata: ["file": "\(path)"]) }
            file.models = decoded.models
            logger.info(
                "manifest loaded",
                metadata: ["file": "\(path)", "models": .stringConvertible(decoded.models.count)]
            )
        } catch {
            failed(path, error: error.description, kept: file.models.count)
        }
        return file
    }

    private func failed(_ path: String, error: String, kept: Int) {
        // Log before counting: whoever sees the counter move (a test, a scrape) finds the line.
        logger.error(
            "manifest not loaded; keeping its last good contents",
            metadata: ["file": "\(path)", "error": "\(error)", "keptModels": .stringConvertible(kept)]
        )
        store.countReloadError()
    }

    /// Models of every file in path order; the first file that defines an identity wins. Logs each
    /// conflict when it appears.
    private func merge(_ files: [String: TrackedFile], duplicates: inout Set<Duplicate>) -> [MaaSModel] {
        var owner: [ModelID: String] = [:]
        var models: [MaaSModel] = []
        var current: [Duplicate] = []
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            for model in file.models {
                if let used = owner[model.id] {
                    current.append(Duplicate(model: model.id, used: used, ignored: path))
                    continue
                }
                owner[model.id] = path
                models.append(model)
            }
        }
        for duplicate in current where !duplicates.contains(duplicate) {
            logger.warning(
                "model defined in several files; using the first",
                metadata: [
                    "model": "\(duplicate.model)", "using": "\(duplicate.used)", "ignored": "\(duplicate.ignored)",
                ]
            )
        }
        duplicates = Set(current)
        return models
    }

    /// Warns once when a listed path disappears (its files leave the catalog) and notes its return.
    private func noteVanishedPaths(_ state: inout State) {
        for path in paths {
            let exists = ManifestFiles.kind(of: path) != .missing
            if !exists, state.vanished.insert(path).inserted {
                logger.warning(
                    "models path no longer exists; its models leave the catalog",
                    metadata: ["path": "\(path)"]
                )
            } else if exists, state.vanished.remove(path) != nil {
                logger.info("models path is back", metadata: ["path": "\(path)"])
            }
        }
    }
}
