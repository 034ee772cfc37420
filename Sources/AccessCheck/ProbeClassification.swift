/// What one probe attempt says about access (SPEC 3.2).
public enum ProbeClassification: Hashable, Sendable {
    /// 2xx with a `data` array (served ids, backend order), or 405 (no ids: `via405`).
    case granted(served: [ServedModel], via405: Bool)
    /// 401, 403, 404, another 4xx but 408, 425 and 429, or 2xx without `data`: a definite no.
    case denied(status: Int)
    /// Anything else: worth another attempt.
    case retryable(reason: String)
}
