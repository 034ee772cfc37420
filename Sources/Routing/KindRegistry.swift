/// How a kind's access is checked (SPEC 2).
public enum ProbeSpec: Hashable, Sendable {
    /// No probe: the model is listed iff Ready, with `id` = `spec.modelRef.name`.
    case none
    /// Probe `method` on `path` relative to the endpoint; classification as in SPEC 3.2.
    case http(method: String, path: String)

    /// The built-in probe: `GET <endpoint>/v1/models`.
    public static let modelsList = ProbeSpec.http(method: "GET", path: "/v1/models")
}

/// The one registry of kinds (SPEC 2): the built-ins plus kinds declared in the configuration.
///
/// Adding a kind needs nothing outside this type and the configuration.
public struct KindRegistry: Hashable, Sendable {
    /// Kinds as written in `spec.modelRef.kind`; the empty string is the default kind.
    public private(set) var probes: [String: ProbeSpec]

    /// The built-ins: `LLMInferenceService`/`llmisvc`/empty (one kind, two spellings) and `ExternalModel`.
    public static let builtIn = KindRegistry(probes: [
        "": .modelsList,
        "llmisvc": .modelsList,
        "LLMInferenceService": .modelsList,
        "ExternalModel": .none,
    ])

    private init(probes: [String: ProbeSpec]) {
        self.probes = probes
    }

    /// The built-ins extended (or overridden) by configured kinds.
    public init(configured: [String: ProbeSpec]) {
        var probes = KindRegistry.builtIn.probes
        for (kind, probe) in configured { probes[kind] = probe }
        self.probes = probes
    }

    /// The probe for a kind as written; nil when the kind is neither built in nor configured.
    public func probe(forKind kind: String) -> ProbeSpec? { probes[kind] }

    public func isKnown(_ kind: String) -> Bool { probes[kind] != nil }
}
