import Yams

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a configuration file (SPEC 6): one YAML document whose keys are those of SPEC 6's table.
///
/// Problems are reported with the file's path as given, so messages point where the operator looks.
enum ConfigurationLoader {
    /// Configuration files are small; a larger file is almost certainly the wrong one.
    static let maximumFileBytes = 1 << 20

    /// The file applied over the defaults, then validated; for `check-config` and tests.
    static func load(file path: String) throws(ConfigurationError) -> ProxyConfiguration {
        var draft = ConfigurationDraft()
        load(file: path, into: &draft)
        return try draft.finish()
    }

    /// Applies the file at `path` to `draft`. Every problem (unreadable file, invalid YAML,
    /// unknown key, wrong type) goes into the draft; values that could be read are applied.
    static func load(file path: String, into draft: inout ConfigurationDraft) {
        do throws(ConfigurationValueError) {
            apply(yaml: try readFile(path), file: path, to: &draft)
        } catch {
            draft.report(.invalid("", error.message, source: .file(path)))
        }
    }

    /// Applies YAML text as if read from the file at `path`.
    static func apply(yaml: String, file path: String, to draft: inout ConfigurationDraft) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            draft.report(.invalid("", "not valid YAML: \(describe(error))", source: .file(path)))
            return
        }
        // An empty file (or only comments) is the default configuration.
        guard let root else { return }
        let reader = ConfigurationFileReader(path: path, draft: draft)
        reader.read(root)
        draft = reader.draft
    }

    /// A one-line YAML error with its position; Yams' own descriptions span several lines.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? YamlError else { return "\(error)" }
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { ConfigurationValueError.quoted($0) }.joined(separator: ", ")
            return "line \(context.mark.line): duplicate key \(keys)"
        case .reader(let problem, _, _, _):
            return problem
        default:
            return "\(error)"
        }
    }

    private static func readFile(_ path: String) throws(ConfigurationValueError) -> String {
        func failure(_ code: Int32) -> ConfigurationValueError {
            ConfigurationValueError(message: "cannot read the file: \(String(cString: strerror(code)))")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= maximumFileBytes else {
                throw ConfigurationValueError(message: "cannot read the file: larger than \(maximumFileBytes) bytes")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
