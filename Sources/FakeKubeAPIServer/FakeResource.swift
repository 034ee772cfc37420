/// A resource type the fake serves: `maasmodels` (kind `MaaSModel`) and `maasmodelrefs` (kind `MaaSModelRef`), both
/// in `maas.opendatahub.io/v1alpha1`. `--resources` picks which are served; the others answer 404 as an API server
/// without their CRD does.
struct FakeResource: Hashable {
    var plural: String
    var kind: String

    static let maasModels = FakeResource(plural: "maasmodels", kind: "MaaSModel")
    static let maasModelRefs = FakeResource(plural: "maasmodelrefs", kind: "MaaSModelRef")
    static let all = [maasModels, maasModelRefs]

    static func named(_ plural: String) -> FakeResource? { all.first { $0.plural == plural } }

    static func of(kind: String) -> FakeResource? { all.first { $0.kind == kind } }
}
