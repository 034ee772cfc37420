/// What one manifest source holds (SPEC 1): its MaaSModels, and a warning for every object that
/// was skipped.
public struct DecodedManifest: Sendable, Equatable {
    /// In source order; when one source names the same `namespace/name` twice, only the later
    /// object is kept (a warning says so).
    public var models: [MaaSModel]
    /// One human-readable line per skipped object, each naming the source.
    public var warnings: [String]

    public init(models: [MaaSModel] = [], warnings: [String] = []) {
        self.models = models
        self.warnings = warnings
    }
}
