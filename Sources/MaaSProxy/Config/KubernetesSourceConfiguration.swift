/// The Kubernetes model source (`models.kubernetes.*`, SPEC 1).
struct KubernetesSourceConfiguration: Sendable, Equatable {
    /// List and watch `maasmodels` (`models.kubernetes.enabled`).
    var enabled = false
    /// Namespaces to watch; empty = every namespace (`models.kubernetes.namespaces`).
    var namespaces: [String] = []
    /// A kubeconfig file; nil = in-cluster service-account credentials (`models.kubernetes.kubeconfig`).
    var kubeconfig: String?
}
