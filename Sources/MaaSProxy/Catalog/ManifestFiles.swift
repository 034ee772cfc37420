import Foundation

/// Finds the manifest files under the configured model paths (SPEC 1, `models.paths`).
///
/// - A listed path that is a file is taken as it is, whatever its extension.
/// - A listed directory is walked recursively in name order for `.yaml`, `.yml` and `.json`
///   (any case). Entries whose name starts with `.` are skipped: editor and `kubectl cp` leftovers,
///   and a ConfigMap mount's `..data` and `..<timestamp>` directories, whose files the mount also
///   exposes as top-level symlinks.
/// - Symlinks are followed, to files and to directories; a directory reached twice (a symlink
///   loop, or two routes to one directory) is walked once, and a file reached by two paths is
///   listed once, under the path that sorts first. Broken symlinks, sockets and FIFOs are skipped.
///
/// Pure file-system reads, no shared state: safe from any thread.
enum ManifestFiles {
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// What a listed path is, following symlinks.
    enum PathKind: Equatable {
        case file
        case directory
        case missing
        /// A socket, FIFO or device: reading it could block or never end.
        case other
    }

    /// Every manifest file under `paths` with its signature, keyed by path.
    static func list(_ paths: [String]) -> [String: FileSignature] {
        var found: [String: FileSignature] = [:]
        var visited: Set<FileIdentity> = []
        for path in paths {
            guard let entry = status(of: path) else { continue }
            switch entry.kind {
            case .file: found[path] = entry.signature
            case .directory: walk(path, into: &found, visited: &visited)
            case .missing, .other: continue
            }
        }
        return uniqueFiles(found)
    }

    /// `path`'s kind, following symlinks (a dangling symlink is `missing`).
    static func kind(of path: String) -> PathKind { status(of: path)?.kind ?? .missing }

    /// `stat(2)` following symlinks; nil when the path (or a symlink's target) does not exist.
    static func signature(of path: String) -> FileSignature? { status(of: path)?.signature }

    /// The device and inode of a directory or file: the same object reached by different paths.
    private struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private static func walk(
        _ directory: String,
        into found: inout [String: FileSignature],
        visited: inout Set<FileIdentity>
    ) {
        guard let entry = status(of: directory),
            visited.insert(FileIdentity(device: entry.signature.device, inode: entry.signature.inode)).inserted,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let child = status(of: path) else { continue }
            switch child.kind {
            case .directory: walk(path, into: &found, visited: &visited)
            case .file where hasManifestExtension(name): found[path] = child.signature
            case .file, .missing, .other: continue
            }
        }
    }

    private static func hasManifestExtension(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// Keeps one path per file (device and inode), the one that sorts first.
    private static func uniqueFiles(_ found: [String: FileSignature]) -> [String: FileSignature] {
        var seen: Set<FileIdentity> = []
        var unique: [String: FileSignature] = [:]
        for (path, signature) in found.sorted(by: { $0.key < $1.key })
        where seen.insert(FileIdentity(device: signature.device, inode: signature.inode)).inserted {
            unique[path] = signature
        }
        return unique
    }

    private static func status(of path: String) -> (kind: PathKind, signature: FileSignature)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let signature = FileSignature(info)
        let kind: PathKind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        return (kind, signature)
    }
}
