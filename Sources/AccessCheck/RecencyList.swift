/// Keys in least-recently-used order with O(1) touch, remove and pop (a doubly linked list kept in
/// dictionaries, so no node objects are allocated per entry).
struct RecencyList<Key: Hashable> {
    private var previous: [Key: Key] = [:]
    private var next: [Key: Key] = [:]
    private var members: Set<Key> = []
    private var oldest: Key?
    private var newest: Key?

    var count: Int { members.count }

    /// Makes `key` the most recently used, inserting it when new.
    mutating func touch(_ key: Key) {
        // The common case under load (one caller's requests back to back): nothing to move.
        if newest == key { return }
        remove(key)
        members.insert(key)
        if let newest {
            next[newest] = key
            previous[key] = newest
        } else {
            oldest = key
        }
        newest = key
    }

    mutating func remove(_ key: Key) {
        guard members.remove(key) != nil else { return }
        let before = previous.removeValue(forKey: key)
        let after = next.removeValue(forKey: key)
        if let before { next[before] = after } else { oldest = after }
        if let after { previous[after] = before } else { newest = before }
    }

    mutating func removeOldest() -> Key? {
        guard let key = oldest else { return nil }
        remove(key)
        return key
    }
}
