/// What a `BodyStep` reports.
public enum BodyEvent: Sendable, Equatable {
    /// Payload bytes input[range]; range within 0..<consumed.
    case data(Range<Int>)
    /// Everything usable consumed (e.g. a partial chunk-size line is NOT consumed: consumed 0, needMore).
    case needMore
    /// The message ended after `consumed` bytes (bytes after belong to the next message).
    case end
    /// Malformed framing: the connection must be closed. The reason is for the log.
    case invalid(String)
    /// Decoded payload would exceed maxBodyBytes.
    case tooLarge
}
