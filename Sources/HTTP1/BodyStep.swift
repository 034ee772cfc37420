/// One step of `BodyDecoder.next`: what the first `consumed` bytes of the input were.
public struct BodyStep: Sendable, Equatable {
    /// How many input bytes the caller drops after handling `event`.
    public var consumed: Int
    public var event: BodyEvent

    public init(consumed: Int, event: BodyEvent) {
        self.consumed = consumed
        self.event = event
    }
}
