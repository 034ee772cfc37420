/// Where the model catalog comes from (`models.*`, SPEC 1 and 6). Both sources may be enabled.
struct ModelsConfiguration: Sendable, Equatable {
    /// Manifest files or directories (`models.paths`, `--models`). Relative paths are relative to
    /// the working directory, like every path the operator writes on the command line.
    var paths: [String] = ["config/models"]
    /// The Kubernetes source (`models.kubernetes.*`).
    var kubernetes = KubernetesSourceConfiguration()
}
