/// A condition that can hold for many models at once, tracked per group (a file, a source, a
/// reason), so it is logged as one line per group when it appears, when its set of models changes
/// and when it clears — never again on a rebuild that leaves it as it was (SPEC 6 Logs).
///
/// Pure value: `update` takes the whole current state and returns what changed.
struct GroupedCondition: Equatable {
    enum Change: Equatable {
        /// The group holds the condition now and did not before; `items` in the caller's order.
        case appeared(group: String, items: [String])
        /// The group's set of items changed.
        case changed(group: String, items: [String])
        case cleared(group: String)

        var group: String {
            switch self {
            case .appeared(let group, _), .changed(let group, _), .cleared(let group): group
            }
        }
    }

    private(set) var groups: [String: [String]] = [:]

    /// Replaces the state with `current` (groups with no items do not hold the condition) and
    /// returns the changes, sorted by group.
    mutating func update(_ current: [String: [String]]) -> [Change] {
        let current = current.filter { !$0.value.isEmpty }
        var changes: [Change] = []
        for (group, items) in current {
            if let before = groups[group] {
                if Set(before) != Set(items) { changes.append(.changed(group: group, items: items)) }
            } else {
                changes.append(.appeared(group: group, items: items))
            }
        }
        for group in groups.keys where current[group] == nil { changes.append(.cleared(group: group)) }
        groups = current
        return changes.sorted { $0.group < $1.group }
    }
}
