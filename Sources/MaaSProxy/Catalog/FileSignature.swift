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
