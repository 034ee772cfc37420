import Logging
import Routing
import Synchronization

/// The current catalog snapshot, merged from every enabled model source (SPEC 1).
///
/// Sources publish their whole model list under their name; the store merges them (higher
/// priority wins for the same identity — Kubernetes over files) and swaps in a new immutable
/// snapshot. Readers take the whole snapshot, so a request sees one consistent catalog. Thread-safe.
final class CatalogStore: Sendable {
    private struct State {
        var snapshot: CatalogSnapshot
        var published: [String: (priority: Int, models: [MaaSModel])] = [:]
        var loaded: Set<String> = []
        var generation: UInt64 = 0
        var kinds: KindRegistry
    }

    private let state: Mutex<State>
    private let required: Set<String>
    private let logger: Logger
    private let reloadErrorCount = Atomic<Int>(0)

    /// - Parameter sources: the names of every enabled source; the store is loaded once each has published.
    init(kinds: KindRegistry, sources: [String], logger: Logger) {
        self.required = Set(sources)
        self.logger = logger
        self.state = Mutex(State(snapshot: CatalogSnapshot(models: [], kinds: kinds, generation: 0), kinds: kinds))
    }

    var snapshot: CatalogSnapshot { state.withLock { $0.snapshot } }

    /// True once every enabled source has published at least once (`/readyz`, SPEC 6).
    var isLoaded: Bool { state.withLock { $0.loaded.isSuperset(of: required) } }

    /// Files that failed to parse, and other reload failures, since start.
    var reloadErrors: Int { reloadErrorCount.load(ordering: .relaxed) }

    func countReloadError() { reloadErrorCount.add(1, ordering: .relaxed) }

    /// Replaces `source`'s models and publishes a merged snapshot.
    func publish(source: String, priority: Int, models: [MaaSModel]) {
        let (merged, shadowed) = state.withLock { state -> ([MaaSModel], [(ModelID, String)]) in
            state.published[source] = (priority, models)
            state.loaded.insert(source)
            let (merged, shadowed) = CatalogStore.merge(state.published)
            state.generation += 1
            state.snapshot = CatalogSnapshot(models: merged, kinds: state.kinds, generation: state.generation)
            return (merged, shadowed)
        }
        for (id, winner) in shadowed {
            logger.warning("model defined by several sources", metadata: ["model": "\(id)", "using": "\(winner)"])
        }
        logger.debug("catalog updated", metadata: ["source": "\(source)", "models": "\(merged.count)"])
    }

    /// Replaces the kinds registry (SIGHUP) and publishes a snapshot that uses it.
    func update(kinds: KindRegistry) {
        state.withLock { state in
            guard state.kinds != kinds else { return }
            state.kinds = kinds
            state.generation += 1
            state.snapshot = CatalogSnapshot(models: state.snapshot.models, kinds: kinds, generation: state.generation)
        }
    }

    /// One model per identity; the source with the highest priority wins.
    private static func merge(
        _ published: [String: (priority: Int, models: [MaaSModel])]
    ) -> ([MaaSModel], [(ModelID, String)]) {
        var chosen: [ModelID: (priority: Int, source: String, model: MaaSModel)] = [:]
        var shadowed: [(ModelID, String)] = []
        for (source, entry) in published.sorted(by: { $0.key < $1.key }) {
            for model in entry.models {
                if let existing = chosen[model.id] {
                    let winner = existing.priority >= entry.priority ? existing.source : source
                    shadowed.append((model.id, winner))
                    if existing.priority >= entry.priority { continue }
                }
                chosen[model.id] = (entry.priority, source, model)
            }
        }
        return (chosen.values.map(\.model), shadowed)
    }
}
