/// The right and the duty to probe one key and `complete` it.
public struct ProbeTicket: Hashable, Sendable {
    public let key: DecisionKey
    let id: UInt64
}
