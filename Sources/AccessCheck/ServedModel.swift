/// One `data[]` entry of a backend's `/v1/models` answer: what the backend accepts as `model`.
public struct ServedModel: Hashable, Sendable {
    public var id: String
    /// The backend's `created`; 0 when absent or not a positive integer.
    public var created: Int64

    public init(id: String, created: Int64 = 0) {
        self.id = id
        self.created = created
    }
}
