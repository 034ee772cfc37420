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
///   name sorts first); each newly shadowed model is logged once as a warning.
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

    /// A model one source defines but another, preferred source wins.
    private struct Shadowing: Hashable {
        var model: ModelID
        var winner: String
        var loser: String
    }

    private struct State {
        var snapshot: CatalogSnapshot
        var kinds: KindRegistry
        var published: [String: Published] = [:]
        var loaded: Set<String> = []
        var shadowed: Set<Shadowing> = []
    }

    /// The sources whose first load `isLoaded` waits for.
    let sources: Set<String>
    private let state: Mutex<State>
    /// The generation last handed to observers; held while they run so they see snapshots in order.
    private let notified = Mutex<UInt64>(0)
    private let observers = Mutex<[Observer]>([])
    private let reloadErrorCount = Atomic<Int>(0)
    private let logger: Logger

    /// - Parameters:
    ///   - kinds: the configured kinds registry every snapshot carries (SPEC 2).
    ///   - sources: the name of every enabled source (`FileCatalogSource.sourceName`, …).
    init(kinds: KindRegistry, sources: [String], logger: Logger) {
        self.sources = Set(sources)
        self.logger = logger
        self.state = Mutex(State(snapshot: CatalogSnapshot(models: [], kinds: kinds, generation: 0), kinds: kinds))
    }

    /// The current snapshot. Take it once per request and use only that one.
    var snapshot: CatalogSnapshot { state.withLock { $0.snapshot } }

    /// The generation of the current snapshot.
    var generation: UInt64 { snapshot.generation }

    /// True once every source named at `init` has loaded (`/readyz`, SPEC 6).
    var isLoaded: Bool { state.withLock { $0.loaded.isSuperset(of: sources) } }

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
            let (merged, shadowed) = Self.merge(state.published)
            let newlyShadowed = shadowed.subtracting(state.shadowed)
            state.shadowed = shadowed
            state.snapshot = CatalogSnapshot(
                models: merged,
                kinds: state.kinds,
                generation: state.snapshot.generation + 1
            )
            return (
                snapshot: state.snapshot, newlyShadowed: newlyShadowed,
                becameLoaded: !wasLoaded && state.loaded.isSuperset(of: sources)
            )
        }
        for shadowing in outcome.newlyShadowed.sorted(by: { $0.model < $1.model }) {
            logger.warning(
                "model defined by several sources; using the preferred one",
                metadata: [
                    "model": "\(shadowing.model)", "using": "\(shadowing.winner)", "ignored": "\(shadowing.loser)",
                ]
            )
        }
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

    /// One model per identity, and every (model, winner, loser) where a source lost.
    private static func merge(_ published: [String: Published]) -> ([MaaSModel], Set<Shadowing>) {
        // Preferred sources first, so the first source to define an identity wins.
        let ordered = published.sorted { lhs, rhs in
            lhs.value.priority != rhs.value.priority ? lhs.value.priority > rhs.value.priority : lhs.key < rhs.key
        }
        var chosen: [ModelID: (source: String, model: MaaSModel)] = [:]
        var shadowed: Set<Shadowing> = []
        for (source, entry) in ordered {
            for model in entry.models {
                if let winner = chosen[model.id] {
                    if winner.source != source {
                        shadowed.insert(Shadowing(model: model.id, winner: winner.source, loser: source))
                    }
                    continue
                }
                chosen[model.id] = (source, model)
            }
        }
        return (chosen.values.map(\.model), shadowed)
    }
}
