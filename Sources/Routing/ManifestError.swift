/// A manifest source that could not be read at all: a YAML/JSON syntax error, or a top-level
/// document that is not a mapping (SPEC 1).
///
/// The caller keeps the source's last good contents in the catalog, logs `description` and
/// counts the error. Problems with single objects are warnings instead (see `DecodedManifest`).
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file path or other name the caller gave to `ManifestDecoder.decode`.
    public var sourceName: String
    /// One line saying what is wrong and, for syntax errors, where (`line:column`).
    public var message: String

    public init(sourceName: String, message: String) {
        self.sourceName = sourceName
        self.message = message
    }

    public var description: String { "\(sourceName): \(message)" }
}
