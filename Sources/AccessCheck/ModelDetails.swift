/// `modelDetails` from the model's annotations (SPEC 3.4); present only when one is non-empty.
public struct ModelDetails: Hashable, Sendable {
    public var displayName: String?
    public var description: String?
    public var genaiUseCase: String?
    public var contextWindow: String?
    public var modelCapabilities: [String]?

    static let displayNameKey = "openshift.io/display-name"
    static let descriptionKey = "openshift.io/description"
    static let useCaseKey = "opendatahub.io/genai-use-case"
    static let contextWindowKey = "opendatahub.io/context-window"
    static let capabilitiesKey = "opendatahub.io/model-capabilities"

    /// nil when none of the annotations of SPEC 3.4 is non-empty.
    public init?(annotations: [String: String]) {
        func value(_ key: String) -> String? { annotations[key].flatMap { $0.isEmpty ? nil : $0 } }
        displayName = value(Self.displayNameKey)
        description = value(Self.descriptionKey)
        genaiUseCase = value(Self.useCaseKey)
        contextWindow = value(Self.contextWindowKey)
        modelCapabilities = value(Self.capabilitiesKey).flatMap(StringArrayJSON.parse)
        let anyAnnotation = [displayName, description, genaiUseCase, contextWindow, value(Self.capabilitiesKey)]
            .contains { $0 != nil }
        if !anyAnnotation { return nil }
    }
}
