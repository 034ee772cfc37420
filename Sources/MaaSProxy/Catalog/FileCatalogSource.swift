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
/// - A file is decoded only when its bytes changed (compared by size and SHA-256; the bytes are not
///   kept). One that no longer reads or parses, or is larger than `maxFileBytes` (`models.maxFileBytes`,
///   refused before it is read), keeps its last good models; the error is logged with the file name
///   and counted in `CatalogStore.reloadErrors`, once per change. A deleted file drops its models.
/// - A file's decoder warnings are one line (a count and the first few), written when they appear
///   or change and when they clear (SPEC 6 Logs).
/// - The same identity in two files: a `MaaSModelRef` wins over a `MaaSModel`, else the file whose
///   path sorts first. One warning per losing file (a count and the first names) when that set
///   appears or changes, one info line when it clears; never again on a rebuild that keeps it.
/// - A new snapshot is published only when the merged model list changed. After a scan that read
///   or dropped more than `MemoryRelease.threshold` bytes of manifest, the heap is trimmed.
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
        /// The SHA-256 of the bytes last read, whether or not they parsed; nil when the file could
        /// not be read or was refused for its size.
        var fingerprint: [UInt8]?
        /// The models of the last contents that parsed.
        var models: [MaaSModel]
        /// The first few decoder warnings of those contents (`CatalogWarnings.firstFew`), and their number.
        var warnings: [String] = []
        var warningCount = 0
        /// The size of the last contents that parsed, for `MemoryRelease`.
        var bytes = 0
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
        /// Listed paths that disappeared while running (warned once until they come back).
        var vanished: Set<String> = []
    }

    /// The listed files and directories, as configured.
    let paths: [String]
    /// `models.maxFileBytes`.
    let maxFileBytes: Int
    private let store: CatalogStore
    private var warnings: CatalogWarnings { store.warnings }
    private static let digest = OpenSSLDigest()
    private let logger: Logger
    private let pollInterval: Duration
    private let state = Mutex(State())
    /// Read by the poller after every wait.
    private let stopping = Atomic<Bool>(false)
    /// The poller waits on it for one interval; `stop()` signals it, so stopping never waits for
    /// a whole interval and an idle process wakes once per interval, not every few milliseconds.
    private let wakeUp = DispatchSemaphore(value: 0)

    /// - Parameter pollInterval: how often the poller looks for changes; SPEC 1 wants 2 s at most.
    init(
        paths: [String],
        maxFileBytes: Int = ModelsConfiguration.defaultMaxFileBytes,
        store: CatalogStore,
        logger: Logger,
        pollInterval: Duration = .seconds(1)
    ) {
        self.paths = paths
        self.maxFileBytes = maxFileBytes
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
            warnings.flush()
        }
    }

    /// Brings the tracked files up to date and publishes when the merged models changed.
    ///
    /// - Parameter rereadAll: read every file even when its signature is unchanged.
    private func scan(rereadAll: Bool) {
        let churn = state.withLock { state -> Int in
            guard state.phase == .running else { return 0 }
            var churn = 0
            noteVanishedPaths(&state)
            let found = ManifestFiles.list(paths)
            for (path, file) in state.files.sorted(by: { $0.key < $1.key }) where found[path] == nil {
                state.files[path] = nil
                churn += file.bytes
                logger.info(
                    "manifest removed; its models leave the catalog",
                    metadata: ["file": "\(path)", "models": .stringConvertible(file.models.count)]
                )
            }
            for (path, signature) in found.sorted(by: { $0.key < $1.key }) {
                let previous = state.files[path]
                if !rereadAll, previous?.signature == signature { continue }
                let file = refresh(path, signature: signature, previous: previous)
                if file.fingerprint != previous?.fingerprint { churn += file.bytes + (previous?.bytes ?? 0) }
                state.files[path] = file
            }
            reportWarnings(state.files)
            let models = merge(state.files)
            guard state.published != models else { return churn }
            state.published = models
            store.publish(source: Self.sourceName, priority: Self.priority, models: models)
            return churn
        }
        // The decoded documents and the dropped models are freed by now (see MemoryRelease).
        if churn > MemoryRelease.threshold { MemoryRelease.trimHeap() }
    }

    /// Reads one file and decodes it when its bytes changed; on failure logs, counts, and keeps
    /// the previous models (its last good contents).
    private func refresh(_ path: String, signature: FileSignature, previous: TrackedFile?) -> TrackedFile {
        var file = previous ?? TrackedFile(signature: signature, fingerprint: nil, models: [])
        let unchanged = previous?.signature == signature
        file.signature = signature
        // Refused before it is read: a runaway manifest must not take the process's memory (SPEC 1).
        if signature.size > Int64(maxFileBytes) {
            if unchanged, previous?.fingerprint == nil { return file }
            file.fingerprint = nil
            failed(
                path,
                error: "the file has \(signature.size) bytes, over models.maxFileBytes (\(maxFileBytes))",
                kept: file.models.count
            )
            return file
        }
        let contents: Data
        do {
            contents = try read(path)
        } catch {
            // Still unreadable and untouched: the error was already logged and counted.
            if unchanged, previous?.fingerprint == nil { return file }
            file.fingerprint = nil
            failed(path, error: error.message, kept: file.models.count)
            return file
        }
        let fingerprint = contents.withUnsafeBytes { Self.digest.sha256(Array($0)) }
        if let previous, previous.fingerprint == fingerprint { return file }
        file.fingerprint = fingerprint
        guard var text = String(data: contents, encoding: .utf8) else {
            failed(path, error: "\(path): not valid UTF-8", kept: file.models.count)
            return file
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        do {
            let decoded = try decode(text, path: path)
            file.models = decoded.models
            // A file of 20 000 bad objects must not keep 20 000 messages: the line quotes the first few.
            file.warnings = Array(decoded.warnings.prefix(CatalogWarnings.firstFew + 1))
            file.warningCount = decoded.warnings.count
            file.bytes = contents.count
            logger.info(
                "manifest loaded",
                metadata: ["file": "\(path)", "models": .stringConvertible(decoded.models.count)]
            )
        } catch {
            failed(path, error: error.description, kept: file.models.count)
        }
        return file
    }

    /// Decodes a manifest; a large one on a scratch thread, expanded into models here once the
    /// parser's tree is gone (see `ScratchThread`, `CompactManifest`).
    private func decode(_ text: String, path: String) throws(ManifestError) -> DecodedManifest {
        guard text.utf8.count >= Self.scratchThreadBytes else {
            return try ManifestDecoder.decode(text, sourceName: path)
        }
        let result = ScratchThread.run(name: "catalog-decode") { () -> Result<CompactManifest, ManifestError> in
            Result { () throws(ManifestError) in try ManifestDecoder.decodeCompact(text, sourceName: path) }
        }
        return try result.get().expand()
    }

    /// Manifests at least this large are decoded on a scratch thread.
    static let scratchThreadBytes = 256 << 10

    /// A read error, with the reason as one line.
    private struct ReadError: Error {
        var message: String
    }

    /// The file's bytes, at most `maxFileBytes`: a file that grew past the limit after `stat`
    /// is refused without reading the rest.
    private func read(_ path: String) throws(ReadError) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReadError(message: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxFileBytes + 1) ?? Data()
        } catch {
            throw ReadError(message: "cannot read the file: \(error.localizedDescription)")
        }
        guard data.count <= maxFileBytes else {
            throw ReadError(message: "the file has more than models.maxFileBytes (\(maxFileBytes)) bytes")
        }
        return data
    }

    private func failed(_ path: String, error: String, kept: Int) {
        // Log before counting: whoever sees the counter move (a test, a scrape) finds the line.
        warnings.error(
            "manifest not loaded; keeping its last good contents",
            metadata: ["file": "\(path)", "error": "\(error)", "keptModels": .stringConvertible(kept)]
        )
        store.countReloadError()
    }

    /// Each file's decoder warnings as one line, when they appear, change or clear.
    private func reportWarnings(_ files: [String: TrackedFile]) {
        warnings.update(
            condition: "manifest warnings",
            CatalogWarnings.ConditionText(
                message: "manifest has objects or fields the catalog skips",
                cleared: "manifest no longer has objects or fields the catalog skips",
                groupKey: "file"
            ),
            groups: files.mapValues(\.warnings),
            totals: files.mapValues(\.warningCount)
        )
    }

    /// Models of every file in path order; for one identity a `MaaSModelRef` wins over a
    /// `MaaSModel`, else the first file. Logs, per losing file, the models it loses.
    private func merge(_ files: [String: TrackedFile]) -> [MaaSModel] {
        var chosen: [ModelID: (index: Int, path: String)] = [:]
        var models: [MaaSModel] = []
        var ignored: [String: [String]] = [:]
        var using: [String: Set<String>] = [:]
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            for model in file.models {
                guard let winner = chosen[model.id] else {
                    chosen[model.id] = (models.count, path)
                    models.append(model)
                    continue
                }
                if model.resource.precedence > models[winner.index].resource.precedence {
                    // SPEC 1: the MaaSModelRef is the model, wherever the MaaSModel came first.
                    ignored[winner.path, default: []].append(model.id.description)
                    using[winner.path, default: []].insert(path)
                    models[winner.index] = model
                    chosen[model.id] = (winner.index, path)
                } else {
                    ignored[path, default: []].append(model.id.description)
                    using[path, default: []].insert(winner.path)
                }
            }
        }
        warnings.update(
            condition: "duplicates",
            CatalogWarnings.ConditionText(
                message: "models defined in several files; using the first (a MaaSModelRef before a MaaSModel)",
                cleared: "models no longer defined in several files",
                groupKey: "ignored"
            ),
            groups: ignored
        ) { file in ["using": "\((using[file] ?? []).sorted().joined(separator: ","))"] }
        return models
    }

    /// Warns once when a listed path disappears (its files leave the catalog) and notes its return.
    private func noteVanishedPaths(_ state: inout State) {
        for path in paths {
            let exists = ManifestFiles.kind(of: path) != .missing
            if !exists, state.vanished.insert(path).inserted {
                warnings.warning(
                    "models path no longer exists; its models leave the catalog",
                    metadata: ["path": "\(path)"]
                )
            } else if exists, state.vanished.remove(path) != nil {
                logger.info("models path is back", metadata: ["path": "\(path)"])
            }
        }
    }
}
