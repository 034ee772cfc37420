/// One `MaaSModel` or `MaaSModelRef` resource (`maas.opendatahub.io/v1alpha1`), reduced to the fields
/// the proxy uses (SPEC 1).
///
/// Values are kept as written in the manifest; interpretation (kind aliases, URL rules) lives elsewhere.
/// Only the annotations of SPEC 3.4 are kept (`enrichmentAnnotations`): a catalog of tens of
/// thousands of models should not carry `kubectl.kubernetes.io/last-applied-configuration` and the
/// like for every one of them.
public struct MaaSModel: Hashable, Sendable {
    public var namespace: String
    public var name: String
    /// `metadata.creationTimestamp` in unix seconds, when present and parseable.
    public var creationTimestamp: Int64?
    public var annotations: [String: String]
    public var modelRef: ModelRef
    /// `status.phase` as written (`Pending`, `Ready`, `Unhealthy`, `Failed`), empty when absent.
    public var phase: String
    /// `status.endpoint` as written, empty when absent.
    public var endpoint: String
    /// `status.resolvedModelAlias` as written (e.g. `publishers/llm/models/facebook/opt-125m`): one
    /// more value a body `model` may name for this model (SPEC 5.1). Never listed. nil when absent or empty.
    public var resolvedModelAlias: String?
    /// The resource this model was read from; decides which of two definitions of one identity is used.
    public var resource: ModelResourceKind

    public init(
        namespace: String,
        name: String,
        creationTimestamp: Int64? = nil,
        annotations: [String: String] = [:],
        modelRef: ModelRef,
        phase: String = "",
        endpoint: String = "",
        resolvedModelAlias: String? = nil,
        resource: ModelResourceKind = .maasModel
    ) {
        self.namespace = namespace
        self.name = name
        self.creationTimestamp = creationTimestamp
        self.annotations = annotations
        self.modelRef = modelRef
        self.phase = phase
        self.endpoint = endpoint
        self.resolvedModelAlias = resolvedModelAlias
        self.resource = resource
    }

    public var id: ModelID { ModelID(namespace: namespace, name: name) }
    public var isReady: Bool { phase == "Ready" }
}

/// `spec.modelRef`: what backs the model.
public struct ModelRef: Hashable, Sendable {
    /// As written; empty means the default kind (`llmisvc`).
    public var kind: String
    public var name: String
    /// Optional; defaults to the model's own namespace (see `MaaSModel.refNamespace`).
    public var namespace: String?

    public init(kind: String = "", name: String, namespace: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }
}

extension MaaSModel {
    /// `spec.modelRef.namespace`, or `metadata.namespace` when that is empty.
    public var refNamespace: String {
        if let ns = modelRef.namespace, !ns.isEmpty { return ns }
        return namespace
    }

    /// The annotations the proxy reads (SPEC 3.4, `ModelDetails`); the decoders keep only these.
    public static let enrichmentAnnotations: Set<String> = [
        "openshift.io/display-name", "openshift.io/description", "opendatahub.io/genai-use-case",
        "opendatahub.io/context-window", "opendatahub.io/model-capabilities",
    ]

    /// The kind as the listing reports it: as written, `llmisvc` when empty (SPEC 3.3).
    public var listedKind: String { modelRef.kind.isEmpty ? "llmisvc" : modelRef.kind }
}
