/// The configuration cannot be used: every problem found, in the order found (SPEC 6: a clear
/// message naming the key, never a silent default).
///
/// The description lists one problem per line, ready to print before a non-zero exit.
struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    var problems: [ConfigurationProblem]

    var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
