/// Where the model catalog comes from (`models.*`, SPEC 1 and 6). Both sources may be enabled.
struct ModelsConfiguration: Sendable, Equatable {
    static let defaultMaxFileBytes = 8_388_608
    static let defaultMaxModels = 50_000

    /// Manifest files or directories (`models.paths`, `--models`). Relative paths are relative to
    /// the working directory, like every path the operator writes on the command line.
    var paths: [String] = ["config/models"]
    /// `models.maxFileBytes`: a manifest file larger than this is refused like one that no longer
    /// parses (SPEC 1): it keeps its last good contents; logged and counted.
    var maxFileBytes = ModelsConfiguration.defaultMaxFileBytes
    /// `models.maxModels`: the catalog keeps at most this many models; the rest are refused,
    /// logged and counted (SPEC 1).
    var maxModels = ModelsConfiguration.defaultMaxModels
    /// The Kubernetes source (`models.kubernetes.*`).
    var kubernetes = KubernetesSourceConfiguration()
}
