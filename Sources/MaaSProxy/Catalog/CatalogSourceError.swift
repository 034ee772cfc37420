/// A model source that cannot start: a listed path that does not exist or is neither a file nor a
/// directory. `serve` and `check-config` print `description` and exit non-zero.
struct CatalogSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }
}
