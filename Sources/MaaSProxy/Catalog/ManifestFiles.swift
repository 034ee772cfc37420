import Foundation

/// What identifies one version of a file: a change to any of these means re-read it.
struct FileSignature: Hashable, Sendable {
    var size: Int64
    var modified: Double
    var inode: UInt64
}

/// Finds manifest files under the configured paths.
enum ManifestFiles {
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Every manifest file under `paths` (files as given; directories recursively, following the
    /// symlinks a ConfigMap mount uses, skipping hidden entries) with its signature.
    static func list(_ paths: [String]) -> [String: FileSignature] {
        var found: [String: FileSignature] = [:]
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                if let signature = signature(of: path) { found[path] = signature }
                continue
            }
            let root = URL(fileURLWithPath: path)
            guard
                let walker = FileManager.default.enumerator(
                    at: root,
                    includingPropertiesForKeys: nil,
                    options: [.skipsHiddenFiles]
                )
            else { continue }
            for case let url as URL in walker where extensions.contains(url.pathExtension.lowercased()) {
                let file = url.path
                if let signature = signature(of: file), !isDirectoryFollowingLinks(file) { found[file] = signature }
            }
        }
        return found
    }

    private static func isDirectoryFollowingLinks(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// stat(2) following symlinks, so a ConfigMap's `..data` swap is seen as a change.
    static func signature(of path: String) -> FileSignature? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileSignature(
            size: Int64(info.st_size),
            modified: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9,
            inode: UInt64(info.st_ino)
        )
    }
}
