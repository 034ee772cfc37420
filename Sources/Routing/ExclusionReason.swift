/// Why a catalog model is not a candidate (SPEC 2, 3.1). Excluded models are never probed,
/// listed or routed; the caller logs each once and counts it.
public enum ExclusionReason: Sendable, Hashable, CustomStringConvertible {
    /// `spec.modelRef.kind` (as written) is neither built in nor configured.
    case unknownKind(String)
    /// `status.endpoint` is empty or blank (typically a model that is not ready yet).
    case emptyEndpoint
    /// `status.endpoint` is not an absolute `http`/`https` URL (see `EndpointURL(parsing:)`).
    case invalidEndpoint
    /// `status.endpoint` is `http` while `upstream.httpsOnly` is set.
    case httpRefused
    /// `status.endpoint` reaches one of this proxy's listeners or its `publicURL`.
    case selfProbe

    public var description: String {
        switch self {
        case .unknownKind(let kind): return "unknown kind '\(kind)'"
        case .emptyEndpoint: return "status.endpoint is empty"
        case .invalidEndpoint: return "status.endpoint is not an absolute http or https URL"
        case .httpRefused: return "status.endpoint is http and upstream.httpsOnly is set"
        case .selfProbe: return "status.endpoint reaches this proxy, which would probe itself"
        }
    }
}
