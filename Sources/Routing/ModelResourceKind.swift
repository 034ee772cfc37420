/// The custom resource a model was read from (SPEC 1): `MaaSModel`, or `MaaSModelRef`, the name the
/// upstream project uses today. Both live in `maas.opendatahub.io` with the same `spec.modelRef`
/// and `status`; a `MaaSModelRef` and a `MaaSModel` with the same `namespace/name` are one model,
/// and the `MaaSModelRef` wins.
public enum ModelResourceKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case maasModel = "MaaSModel"
    case maasModelRef = "MaaSModelRef"

    /// The `kind` of a list of these objects as the API server returns it (`MaaSModelList`, `MaaSModelRefList`).
    public var listKind: String { rawValue + "List" }

    /// The resource name in API paths and RBAC rules (`maasmodels`, `maasmodelrefs`).
    public var plural: String { rawValue.lowercased() + "s" }

    /// The kind whose list kind is `listKind`; nil for any other text.
    public init?(listKind: String) {
        guard let kind = Self.allCases.first(where: { $0.listKind == listKind }) else { return nil }
        self = kind
    }

    /// Which of two definitions of one identity is used: the `MaaSModelRef` (SPEC 1).
    public var precedence: Int { self == .maasModelRef ? 1 : 0 }

    public var description: String { rawValue }
}
