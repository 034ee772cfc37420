/// One catalog model that is not a candidate, and why (SPEC 3.1).
public struct Exclusion: Sendable, Hashable, CustomStringConvertible {
    public var model: ModelID
    public var reason: ExclusionReason

    public init(model: ModelID, reason: ExclusionReason) {
        self.model = model
        self.reason = reason
    }

    public var description: String { "\(model): \(reason)" }
}
