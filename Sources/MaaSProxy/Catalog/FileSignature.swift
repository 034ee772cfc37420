import Foundation

/// What identifies one version of a manifest file, as `stat(2)` reports it after following
/// symlinks: a change to any field means "read it again".
///
/// The inode catches atomic replacements (`rename(2)`, a ConfigMap's `..data` swap) that keep the
/// size and, on coarse clocks, the modification time.
struct FileSignature: Hashable, Sendable {
    var size: Int64
    /// Seconds since 1970, with the file system's sub-second precision.
    var modified: Double
    var inode: UInt64
    var device: UInt64
}

extension FileSignature {
    /// The signature in a `stat(2)` result.
    init(_ info: stat) {
        self.init(
            size: Int64(info.st_size),
            modified: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9,
            inode: UInt64(info.st_ino),
            device: UInt64(info.st_dev)
        )
    }

    /// The signature of `path` after following symlinks; nil when it cannot be read.
    static func of(_ path: String) -> FileSignature? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileSignature(info)
    }
}
