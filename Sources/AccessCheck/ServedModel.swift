/// One `data[]` entry of a backend's `/v1/models` answer: what the backend accepts as `model`.
public struct ServedModel: Hashable, Sendable {
    public var id: String
    /// The backend's `created`; 0 when absent or not a positive integer.
    public var created: Int64
    /// The backend's `max_model_len` (vLLM sends it), kept in the listing entry (SPEC 3.3); nil when
    /// absent or not a positive integer.
    public var maxModelLength: Int64?

    public init(id: String, created: Int64 = 0, maxModelLength: Int64? = nil) {
        self.id = id
        self.created = created
        self.maxModelLength = maxModelLength
    }
}
