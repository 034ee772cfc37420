/// An immutable view of the whole catalog (SPEC 1). Swapped atomically on every change; a request
/// holds one snapshot from start to end.
public final class CatalogSnapshot: Sendable {
    /// Every model, sorted by identity.
    public let models: [MaaSModel]
    public let kinds: KindRegistry
    /// Increases with every swap; lets caches tell snapshots apart cheaply.
    public let generation: UInt64
    /// Each identity's position in `models`: the models are held once.
    private let byID: [ModelID: Int]

    /// - Parameter models: one identity twice keeps the later model.
    public init(models: [MaaSModel], kinds: KindRegistry = .builtIn, generation: UInt64 = 0) {
        var latest: [ModelID: Int] = [:]
        latest.reserveCapacity(models.count)
        for (index, model) in models.enumerated() { latest[model.id] = index }
        var sorted = models.indices.filter { latest[models[$0].id] == $0 }.map { models[$0] }
        sorted.sort { $0.id < $1.id }
        var byID: [ModelID: Int] = [:]
        byID.reserveCapacity(sorted.count)
        for (index, model) in sorted.enumerated() { byID[model.id] = index }
        self.byID = byID
        self.models = sorted
        self.kinds = kinds
        self.generation = generation
    }

    public func model(_ id: ModelID) -> MaaSModel? { byID[id].map { models[$0] } }

    public static let empty = CatalogSnapshot(models: [])
}
