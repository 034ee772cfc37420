/// One entry of the `GET /v1/models` answer (SPEC 3.3).
public struct ModelEntry: Hashable, Sendable {
    public var id: String
    public var created: Int64
    public var ownedBy: String
    public var kind: String
    public var url: String
    public var ready: Bool
    public var details: ModelDetails?

    public init(
        id: String,
        created: Int64,
        ownedBy: String,
        kind: String,
        url: String,
        ready: Bool,
        details: ModelDetails? = nil
    ) {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
        self.kind = kind
        self.url = url
        self.ready = ready
        self.details = details
    }
}
