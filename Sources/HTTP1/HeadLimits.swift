/// Bounds a request head parser enforces.
public struct HeadLimits: Sendable {
    /// Largest head, from the request line to the final CRLF CRLF inclusive; beyond it: 431.
    public var maxHeadBytes: Int
    /// Largest Content-Length accepted; beyond it: 413. Chunked bodies are bounded by `BodyDecoder`.
    public var maxBodyBytes: Int
    /// Most field lines in a head; beyond it: 431.
    public var maxFields: Int = 256

    public init(maxHeadBytes: Int, maxBodyBytes: Int, maxFields: Int = 256) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxFields = maxFields
    }
}
