/// `GET /v1/models` settings (`listing.*`, SPEC 3.3).
struct ListingConfiguration: Sendable, Equatable {
    /// Which URL each entry's `url` carries.
    enum URLSource: String, Sendable, Equatable, CaseIterable {
        /// The model's `status.endpoint` (the default).
        case endpoint
        /// `publicURL` + the model's route prefix: the model through this proxy.
        case proxy
    }

    /// `listing.url`.
    var url = URLSource.endpoint

    static let urlExpectation = "endpoint or proxy"

    static func urlSource(_ text: String) throws(ConfigurationValueError) -> URLSource {
        guard let source = URLSource(rawValue: text) else {
            throw ConfigurationValueError(expected: urlExpectation, got: text)
        }
        return source
    }
}
