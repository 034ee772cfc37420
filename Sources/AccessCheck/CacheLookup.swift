/// What `DecisionCache.lookup` tells the caller to do.
public enum CacheLookup: Sendable {
    /// A fresh decision: use it.
    case hit(Decision)
    /// Someone else is probing this key: wait for the waiter.
    case coalesced
    /// Probe, then `complete` the ticket exactly once.
    case miss(ProbeTicket)
}
