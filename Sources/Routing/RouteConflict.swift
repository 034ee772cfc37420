/// Several models with the same route prefix (SPEC 5.1 step 1). The lowest model id wins so the
/// choice does not depend on load order; the others are unreachable by path and should be logged.
public struct RouteConflict: Sendable, Hashable, CustomStringConvertible {
    public var prefix: String
    /// The model the prefix routes to: the lowest `ModelID`.
    public var winner: ModelID
    /// The other models with this prefix, sorted.
    public var shadowed: [ModelID]

    public init(prefix: String, winner: ModelID, shadowed: [ModelID]) {
        self.prefix = prefix
        self.winner = winner
        self.shadowed = shadowed
    }

    public var description: String {
        "route prefix \(prefix) is claimed by \(([winner] + shadowed).map(\.description).joined(separator: ", "));"
            + " \(winner) wins"
    }
}
