import Logging
import Routing
import Synchronization

/// The current catalog (SPEC 1): one immutable `CatalogSnapshot`, merged from every enabled model
/// source and swapped atomically on every change.
///
/// Contract:
/// - Sources are named up front (`init(kinds:sources:logger:)`); the store is *loaded* once every
///   one of them has published or called `markLoaded(source:)` (`/readyz`, and SPEC 5.5's
///   `catalog_not_loaded`).
/// - Each source publishes its whole model list under its name with a priority. For one identity
///   the highest priority wins (Kubernetes over files, SPEC 1; equal priorities: the source whose
///   name sorts first); shadowed models are logged as one line per losing source when that set
///   appears, changes or clears (SPEC 6 Logs).
/// - At most `maxModels` models (`models.maxModels`, SPEC 1) are kept: sources in the order above,
///   each in the order it published; the models after that are refused, logged (count and first
///   names) and counted as a reload error whenever that set changes.
/// - Every swap stamps the next generation (1, 2, …; 0 is the empty snapshot before any publish).
/// - A reader calls `snapshot` once per request and keeps that object: it never changes.
///
/// Threads: every member may be called from any thread. Publishing and reading take one short
/// lock; observers run after the swap, outside that lock, on the publishing thread.
final class CatalogStore: Sendable {
    /// A change observer: called with each new snapshot, in generation order, one call at a time.
    /// It runs on the publishing thread (a poller, the control loop), so it must be quick, and it
    /// must not publish to this store (that would wait for itself).
    typealias Observer = @Sendable (CatalogSnapshot) -> Void

    private struct Published {
        var priority: Int
        var models: [MaaSModel]
    }

    /// What `merge` chose, and what it left out.
    private struct Merged {
        var models: [MaaSModel]
        /// Per losing source, the models a preferred source defines too.
        var shadowed: [String: [String]]
        /// Per losing source, the sources that won.
        var winners: [String: Set<String>]
        /// Beyond `maxModels`, in merge order.
        var refused: [String]
    }

    private struct State {
        var snapshot: CatalogSnapshot
        var kinds: KindRegistry
        var maxModels: Int
        var published: [String: Published] = [:]
        var loaded: Set<String> = []
    }

    /// The sources whose first load `isLoaded` waits for.
    let sources: Set<String>
    private let state: Mutex<State>
    /// The generation last handed to observers; held while they run so they see snapshots in order.
    private let notified = Mutex<UInt64>(0)
    private let observers = Mutex<[Observer]>([])
    private let reloadErrorCount = Atomic<Int>(0)
    private let logger: Logger
    /// The rate-limited warnings of every catalog source (SPEC 6 Logs).
    let warnings: CatalogWarnings

    /// - Parameters:
    ///   - kinds: the configured kinds registry every snapshot carries (SPEC 2).
    ///   - sources: the name of every enabled source (`FileCatalogSource.sourceName`, …).
    ///   - maxModels: `models.maxModels`; models beyond it are refused.
    init(
        kinds: KindRegistry,
        sources: [String],
        maxModels: Int = ModelsConfiguration.defaultMaxModels,
        logger: Logger,
        warnings: CatalogWarnings? = nil
    ) {
        self.sources = Set(sources)
        self.logger = logger
        self.warnings = warnings ?? CatalogWarnings(logger: logger)
        self.state = Mutex(
            State(
                snapshot: CatalogSnapshot(models: [], kinds: kinds, generation: 0),
                kinds: kinds,
                maxModels: maxModels
            )
        )
    }

    /// The current snapshot. Take it once per request and use only that one.
    var snapshot: CatalogSnapshot { state.withLock { $0.snapshot } }

    /// The generation of the current snapshot.
    var generation: UInt64 { snapshot.generation }

    /// True once every source named at `init` has loaded (`/readyz`, SPEC 6).
    /// Latched: sources are only ever added to the loaded set, so once true it stays true, and
    /// every forwarded call reads it (an atomic load instead of a lock and a set comparison).
    var isLoaded: Bool {
        if loadedLatch.load(ordering: .acquiring) { return true }
        let loaded = state.withLock { $0.loaded.isSuperset(of: sources) }
        if loaded { loadedLatch.store(true, ordering: .releasing) }
        return loaded
    }
    private let loadedLatch = Atomic<Bool>(false)

    /// The sources that have not loaded yet, sorted (for logs and `/readyz` diagnostics).
    var pendingSources: [String] { state.withLock { sources.subtracting($0.loaded).sorted() } }

    /// Manifests that failed to load, and other reload failures, since start (SPEC 6 metrics).
    var reloadErrors: Int { reloadErrorCount.load(ordering: .relaxed) }

    /// Counts one failed load; the source logs the error itself.
    func countReloadError() { reloadErrorCount.add(1, ordering: .relaxed) }

    /// Models in the current snapshot by `status.phase`, an empty phase counted as `Unknown`.
    var modelsByPhase: [String: Int] {
        var counts: [String: Int] = [:]
        for model in snapshot.models { counts[model.phase.isEmpty ? "Unknown" : model.phase, default: 0] += 1 }
        return counts
    }

    /// Registers `observer` for every later swap (not called for the current snapshot).
    func observe(_ observer: @escaping Observer) { observers.withLock { $0.append(observer) } }

    /// Records that `source` has loaded without publishing (a source whose first load is empty
    /// may publish `[]` instead; either counts).
    func markLoaded(source: String) {
        let becameLoaded = state.withLock { state -> Bool in
            let wasLoaded = state.loaded.isSuperset(of: sources)
            state.loaded.insert(source)
            return !wasLoaded && state.loaded.isSuperset(of: sources)
        }
        if becameLoaded { logger.info("catalog loaded from every source") }
    }

    /// Replaces `source`'s models, marks the source loaded, and publishes a merged snapshot.
    ///
    /// - Parameter priority: higher wins when two sources define the same identity.
    func publish(source: String, priority: Int, models: [MaaSModel]) {
        let outcome = state.withLock { state in
            let wasLoaded = state.loaded.isSuperset(of: sources)
            state.published[source] = Published(priority: priority, models: models)
            state.loaded.insert(source)
            let merged = Self.merge(state.published, maxModels: state.maxModels)
            state.snapshot = CatalogSnapshot(
                models: merged.models,
                kinds: state.kinds,
                generation: state.snapshot.generation + 1
            )
            return (
                snapshot: state.snapshot, merged: merged,
                becameLoaded: !wasLoaded && state.loaded.isSuperset(of: sources)
            )
        }
        report(outcome.merged)
        logger.debug(
            "catalog updated",
            metadata: [
                "source": "\(source)", "models": .stringConvertible(outcome.snapshot.models.count),
                "generation": .stringConvertible(outcome.snapshot.generation),
            ]
        )
        if outcome.becameLoaded { logger.info("catalog loaded from every source") }
        notifyObservers()
    }

    /// Replaces `models.maxModels` (SIGHUP) and publishes again when it changed.
    func update(maxModels: Int) {
        let merged = state.withLock { state -> Merged? in
            guard state.maxModels != maxModels else { return nil }
            state.maxModels = maxModels
            guard !state.published.isEmpty else { return nil }
            let merged = Self.merge(state.published, maxModels: maxModels)
            state.snapshot = CatalogSnapshot(
                models: merged.models,
                kinds: state.kinds,
                generation: state.snapshot.generation + 1
            )
            return merged
        }
        guard let merged else { return }
        report(merged)
        notifyObservers()
    }

    /// Logs shadowed and refused models as grouped conditions; a changed refusal counts as a reload error.
    private func report(_ merged: Merged) {
        warnings.update(
            condition: "shadowed",
            CatalogWarnings.ConditionText(
                message: "models defined by several sources; using the preferred one",
                cleared: "models no longer defined by several sources",
                groupKey: "ignored"
            ),
            groups: merged.shadowed
        ) { loser in ["using": "\((merged.winners[loser] ?? []).sorted().joined(separator: ","))"] }
        let refusals = warnings.update(
            condition: "maxModels",
            CatalogWarnings.ConditionText(
                message: "models beyond models.maxModels refused",
                cleared: "no models beyond models.maxModels any more",
                groupKey: "limit"
            ),
            groups: merged.refused.isEmpty ? [:] : ["\(state.withLock { $0.maxModels })": merged.refused]
        )
        for change in refusals {
            if case .cleared = change { continue }
            countReloadError()
        }
    }

    /// Replaces the kinds registry (SIGHUP) and publishes a snapshot that uses it; no-op when equal.
    func update(kinds: KindRegistry) {
        let changed = state.withLock { state -> Bool in
            guard state.kinds != kinds else { return false }
            state.kinds = kinds
            state.snapshot = CatalogSnapshot(
                models: state.snapshot.models,
                kinds: kinds,
                generation: state.snapshot.generation + 1
            )
            return true
        }
        if changed { notifyObservers() }
    }

    /// Hands the current snapshot to every observer unless a newer call already did.
    private func notifyObservers() {
        notified.withLock { last in
            let current = snapshot
            guard current.generation > last else { return }
            last = current.generation
            for observer in observers.withLock({ $0 }) { observer(current) }
        }
    }

    /// One model per identity, in merge order (sources by priority, then name; each in its own
    /// order), at most `maxModels` of them; and what lost or was refused.
    private static func merge(_ published: [String: Published], maxModels: Int) -> Merged {
        // Preferred sources first, so the first source to define an identity wins.
        let ordered = published.sorted { lhs, rhs in
            lhs.value.priority != rhs.value.priority ? lhs.value.priority > rhs.value.priority : lhs.key < rhs.key
        }
        var chosen: [ModelID: String] = [:]
        var merged = Merged(models: [], shadowed: [:], winners: [:], refused: [])
        for (source, entry) in ordered {
            for model in entry.models {
                if let winner = chosen[model.id] {
                    if winner != source {
                        merged.shadowed[source, default: []].append(model.id.description)
                        merged.winners[source, default: []].insert(winner)
                    }
                    continue
                }
                chosen[model.id] = source
                if merged.models.count < maxModels {
                    merged.models.append(model)
                } else {
                    merged.refused.append(model.id.description)
                }
            }
        }
        return merged
    }
}
