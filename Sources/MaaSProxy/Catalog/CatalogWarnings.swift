import Logging
import Synchronization

/// Every warning on the catalog path goes through here (SPEC 6 Logs): decoder warnings, duplicate
/// and shadowed models, exclusions, refused files and models, reload errors, Kubernetes retries.
///
/// - Each message (the fixed text, not its metadata) is rate-limited by a `LogRateLimiter`; what
///   is suppressed is written later as one `log lines suppressed` line with the message and the count.
/// - `several` writes a list of problems as one line: a count and the first few.
/// - `update(condition:…)` logs a `GroupedCondition` per group, when it appears, changes or clears.
///
/// Access lines never come here. Threads: any; one short lock per call, logging outside it.
final class CatalogWarnings: Sendable {
    /// How many names or problems a line quotes before "…".
    static let firstFew = 5

    /// How one grouped condition is written.
    struct ConditionText: Sendable {
        /// The warning written when a group appears or changes.
        var message: String
        /// The info line written when a group clears.
        var cleared: String
        /// The metadata key naming the group (`file`, `source`, `reason`).
        var groupKey: String
    }

    private struct State {
        var limiter: LogRateLimiter
        var conditions: [String: GroupedCondition] = [:]
    }

    private let logger: Logger
    private let state: Mutex<State>
    private let clock: @Sendable () -> Duration

    /// - Parameter clock: a monotonic reading; the default is the time since this object was made.
    init(
        logger: Logger,
        limits: LogRateLimiter.Limits = .catalog,
        clock: (@Sendable () -> Duration)? = nil
    ) {
        self.logger = logger
        self.state = Mutex(State(limiter: LogRateLimiter(limits: limits)))
        let origin = ContinuousClock.now
        self.clock = clock ?? { ContinuousClock.now - origin }
    }

    func warning(_ message: String, metadata: Logger.Metadata = [:]) {
        write(.warning, message, metadata)
    }

    func error(_ message: String, metadata: Logger.Metadata = [:]) {
        write(.error, message, metadata)
    }

    /// One line for a list of problems (`items`, e.g. a manifest's decoder warnings): their count
    /// and the first few.
    func several(_ message: String, _ items: [String], metadata: Logger.Metadata = [:]) {
        guard !items.isEmpty else { return }
        var metadata = metadata
        metadata["count"] = .stringConvertible(items.count)
        metadata["first"] = .string(Self.quote(items))
        write(.warning, message, metadata)
    }

    /// Logs the groups of condition `name` that appeared, changed or cleared since its last update.
    ///
    /// - Parameters:
    ///   - groups: every group holding the condition now, with its items (model ids) in order.
    ///   - totals: a group's count when `groups` holds only its first items.
    ///   - detail: more metadata for a group's warning (e.g. which file is used instead).
    /// - Returns: the changes, for callers that count them.
    @discardableResult
    func update(
        condition name: String,
        _ text: ConditionText,
        groups: [String: [String]],
        totals: [String: Int] = [:],
        detail: (String) -> Logger.Metadata = { _ in [:] }
    ) -> [GroupedCondition.Change] {
        let changes = state.withLock { state in
            var condition = state.conditions[name] ?? GroupedCondition()
            let changes = condition.update(groups)
            state.conditions[name] = condition
            return changes
        }
        for change in changes {
            var metadata = detail(change.group)
            metadata[text.groupKey] = .string(change.group)
            switch change {
            case .appeared(_, let items), .changed(_, let items):
                metadata["count"] = .stringConvertible(totals[change.group] ?? items.count)
                metadata["first"] = .string(Self.quote(items))
                write(.warning, text.message, metadata)
            case .cleared:
                write(.info, text.cleared, metadata)
            }
        }
        return changes
    }

    /// Writes the summaries of windows that ended; the file poller calls it every interval.
    func flush() {
        let now = clock()
        let summaries = state.withLock { $0.limiter.expire(at: now) }
        for summary in summaries.sorted(by: { $0.key < $1.key }) { summarize(summary.key, summary.suppressed) }
    }

    private func write(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
        // Below the level in force: nothing is written, so nothing is counted either.
        guard level >= logger.logLevel else { return }
        let now = clock()
        let admission = state.withLock { $0.limiter.admit(message, at: now) }
        if admission.suppressedBefore > 0 { summarize(message, admission.suppressedBefore) }
        if admission.write { logger.log(level: level, "\(message)", metadata: metadata) }
    }

    private func summarize(_ message: String, _ count: Int) {
        logger.warning(
            "log lines suppressed",
            metadata: ["message": "\(message)", "suppressed": .stringConvertible(count)]
        )
    }

    /// `a, b, c, d, e, …` — the first few items.
    static func quote(_ items: [String]) -> String {
        let shown = items.prefix(firstFew).joined(separator: ", ")
        return items.count > firstFew ? shown + ", …" : shown
    }
}
