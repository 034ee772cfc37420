import Foundation

/// Milliseconds on the system's monotonic clock: comparable between processes on one machine, never stepped.
enum MonotonicClock {
    static func nowMs() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1_000_000
    }

    /// Wall-clock unix seconds, for the `created` field of completions.
    static func unixSeconds() -> Int { Int(time(nil)) }
}
