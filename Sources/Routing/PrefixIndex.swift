import Glibc

/// Byte strings (route prefixes) looked up as whole-segment prefixes of a path, without hashing
/// and without allocating (SPEC 5.1 step 1, issue 10).
///
/// The keys are grouped by length; within a group they are sorted and held back to back in one
/// buffer, so a lookup for one length is a binary search of `memcmp`s over equal-length keys. A
/// path is tried only at the lengths some key has, longest first, and only where a segment ends
/// there (the path's end or a `/`). Nothing depends on a hash, so no catalog can make lookups
/// slow by choosing colliding prefixes.
///
/// Immutable; share it across threads.
struct PrefixIndex: Sendable {
    /// One length's keys: `count` keys of `length` bytes at `start` in `bytes`; the values of
    /// those keys are `values[first..<first + count]`.
    private struct Group: Sendable {
        var length: Int
        var start: Int
        var first: Int
        var count: Int
    }

    /// Every key's bytes, group by group, sorted within a group.
    private let bytes: [UInt8]
    /// The value of each key, in the order of `bytes`.
    private let values: [Int]
    /// Longest keys first.
    private let groups: [Group]

    /// - Parameter keys: distinct non-empty byte strings, each with its value (a route's position).
    init(_ keys: [(key: String, value: Int)]) {
        precondition(keys.allSatisfy { !$0.key.isEmpty }, "prefix keys are never empty")
        let sorted = keys.map { (key: Array($0.key.utf8), value: $0.value) }.sorted { lhs, rhs in
            lhs.key.count != rhs.key.count
                ? lhs.key.count > rhs.key.count : lhs.key.lexicographicallyPrecedes(rhs.key)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sorted.reduce(0) { $0 + $1.key.count })
        var groups: [Group] = []
        for (index, entry) in sorted.enumerated() {
            if groups.last?.length == entry.key.count {
                groups[groups.count - 1].count += 1
            } else {
                groups.append(Group(length: entry.key.count, start: bytes.count, first: index, count: 1))
            }
            bytes.append(contentsOf: entry.key)
        }
        self.bytes = bytes
        self.values = sorted.map(\.value)
        self.groups = groups
    }

    /// The value of the longest key that is a whole-segment prefix of `path` (the key equals the
    /// first bytes of `path`, and `path` ends there or goes on with `/`), with that key's length.
    func longestPrefix(of path: UnsafeBufferPointer<UInt8>) -> (value: Int, length: Int)? {
        guard let base = path.baseAddress else { return nil }
        return bytes.withUnsafeBufferPointer { keys in
            groups.withUnsafeBufferPointer { groups in
                for group in groups where group.length <= path.count {
                    let length = group.length
                    guard length == path.count || base[length] == UInt8(ascii: "/") else { continue }
                    // Binary search of the group's sorted keys.
                    var low = 0
                    var high = group.count
                    while low < high {
                        let middle = (low + high) / 2
                        let order = memcmp(keys.baseAddress! + group.start + middle * length, base, length)
                        if order == 0 { return (values[group.first + middle], length) }
                        if order < 0 { low = middle + 1 } else { high = middle }
                    }
                }
                return nil
            }
        }
    }
}
