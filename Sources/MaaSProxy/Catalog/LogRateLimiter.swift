/// Decides which repeated log lines are written (SPEC 6 Logs): per key, at most `burst` lines in
/// each `window`; the rest are counted, and the count is handed back once the window ends so the
/// caller writes one "suppressed N" summary instead of N lines.
///
/// A window opens with the first line of a key and lasts `window`. A line in a later window opens
/// a new one; if lines of the old window were suppressed, `admit` reports their number so the
/// summary comes before the line. `expire(at:)` reports (and forgets) windows that ended, for a
/// caller that flushes summaries on a timer even when no further line of that key comes.
///
/// Pure value, no clock of its own: `now` is any monotonic reading (time since an origin), so
/// tests drive it by hand. Keys are the fixed message texts, so few; ended windows are dropped.
struct LogRateLimiter {
    struct Limits: Equatable {
        /// Lines written per key in one window; at least 1.
        var burst: Int
        var window: Duration

        /// The catalog's warnings: ten lines a minute per message.
        static let catalog = Limits(burst: 10, window: .seconds(60))
    }

    /// What to do with one line.
    struct Admission: Equatable {
        /// Write the line (false: it is suppressed and counted).
        var write: Bool
        /// Lines of this key suppressed in the window that just ended: write their summary first.
        var suppressedBefore: Int
    }

    private struct Window {
        var start: Duration
        var written: Int
        var suppressed: Int
    }

    let limits: Limits
    private var windows: [String: Window] = [:]

    init(limits: Limits) {
        self.limits = Limits(burst: max(1, limits.burst), window: limits.window)
    }

    /// Decides about one line of `key` at `now`.
    mutating func admit(_ key: String, at now: Duration) -> Admission {
        var suppressedBefore = 0
        if let window = windows[key], now - window.start >= limits.window || now < window.start {
            suppressedBefore = window.suppressed
            windows[key] = nil
        }
        guard var window = windows[key] else {
            windows[key] = Window(start: now, written: 1, suppressed: 0)
            return Admission(write: true, suppressedBefore: suppressedBefore)
        }
        if window.written < limits.burst {
            window.written += 1
            windows[key] = window
            return Admission(write: true, suppressedBefore: suppressedBefore)
        }
        window.suppressed += 1
        windows[key] = window
        return Admission(write: false, suppressedBefore: suppressedBefore)
    }

    /// The keys whose window ended by `now` with lines suppressed, and how many; every ended
    /// window is forgotten. Sorted by nothing: the caller orders them if it cares.
    mutating func expire(at now: Duration) -> [(key: String, suppressed: Int)] {
        var summaries: [(key: String, suppressed: Int)] = []
        for (key, window) in windows where now - window.start >= limits.window || now < window.start {
            if window.suppressed > 0 { summaries.append((key, window.suppressed)) }
            windows[key] = nil
        }
        return summaries
    }

    /// Lines suppressed so far in the open window of `key`.
    func suppressed(_ key: String) -> Int { windows[key]?.suppressed ?? 0 }
}
