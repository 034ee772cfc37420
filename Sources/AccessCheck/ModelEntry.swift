/// One entry of the `GET /v1/models` answer (SPEC 3.3).
public struct ModelEntry: Hashable, Sendable {
    public var id: String
    public var created: Int64
    public var ownedBy: String
    public var kind: String
    public var url: String
    /// The backend's `max_model_len` for this id, only when it sent one (SPEC 3.3).
    public var maxModelLength: Int64?
    public var ready: Bool
    public var details: ModelDetails?

    public init(
        id: String,
        created: Int64,
        ownedBy: String,
        kind: String,
        url: String,
        maxModelLength: Int64? = nil,
        ready: Bool,
        details: ModelDetails? = nil
    ) {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
        self.kind = kind
        self.url = url
        self.maxModelLength = maxModelLength
        self.ready = ready
        self.details = details
    }
}
