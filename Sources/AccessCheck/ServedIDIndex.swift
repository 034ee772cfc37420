import Routing
import Synchronization

/// Which ids each model serves, as learned from granted probes (SPEC 5.1 step 2).
///
/// A request body names a model by an id from `GET /v1/models` (SPEC 3.3); those come from each
/// backend's own `/v1/models`, so the proxy only knows them after a probe. Shared by all workers;
/// entries are keyed by model and endpoint, so a model whose endpoint changes is learned anew.
public final class ServedIDIndex: Sendable {
    private struct Key: Hashable {
        var model: ModelID
        var endpoint: String
    }

    private let learned = Mutex<[Key: Set<String>]>([:])

    public init() {}

    /// Records the ids `candidate` was listed under in a granted decision.
    public func record(_ candidate: Candidate, ids: [String]) {
        let key = Key(model: candidate.model.id, endpoint: candidate.endpointText)
        learned.withLock { table in
            // Nearly always already known: compare before building a set (this runs per request).
            if let known = table[key], known.count == ids.count, ids.allSatisfy(known.contains) { return }
            table[key] = Set(ids)
        }
    }

    /// The candidates that must be checked to answer a request naming `id`: those known to serve
    /// it, and those whose ids are not learned yet. Probe-less kinds are known from the catalog
    /// (their id is `modelRef.name`).
    public func candidates(serving id: String, among candidates: [Candidate]) -> [Candidate] {
        learned.withLock { table in
            candidates.filter { candidate in
                if candidate.probe == .none { return candidate.model.modelRef.name == id }
                let key = Key(model: candidate.model.id, endpoint: candidate.endpointText)
                guard let ids = table[key] else { return true }
                return ids.contains(id)
            }
        }
    }
}
