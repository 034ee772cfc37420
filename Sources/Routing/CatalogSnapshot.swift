/// An immutable view of the whole catalog (SPEC 1). Swapped atomically on every change; a request
/// holds one snapshot from start to end.
public final class CatalogSnapshot: Sendable {
    /// Every model, sorted by identity.
    public let models: [MaaSModel]
    public let kinds: KindRegistry
    /// Increases with every swap; lets caches tell snapshots apart cheaply.
    public let generation: UInt64
    private let byID: [ModelID: MaaSModel]

    public init(models: [MaaSModel], kinds: KindRegistry = .builtIn, generation: UInt64 = 0) {
        var byID: [ModelID: MaaSModel] = [:]
        for model in models { byID[model.id] = model }
        self.byID = byID
        self.models = byID.values.sorted { $0.id < $1.id }
        self.kinds = kinds
        self.generation = generation
    }

    public func model(_ id: ModelID) -> MaaSModel? { byID[id] }

    public static let empty = CatalogSnapshot(models: [])
}
