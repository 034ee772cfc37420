/// A point on a monotonic clock, in nanoseconds. Injected everywhere so TTLs, retries and deadlines
/// are tested without sleeping.
public struct MonotonicInstant: Comparable, Hashable, Sendable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// Saturates at the end of time, so a huge configured lifetime never wraps into the past.
    public static func + (lhs: Self, rhs: Duration) -> Self {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.nanosecondsClamped)
        return Self(nanoseconds: overflow ? .max : sum)
    }

    /// `self + nanoseconds`, saturating like `+`: the hot paths add bounds converted once
    /// (`Duration.nanosecondsClamped` costs a 128-bit division on every call).
    public func adding(nanoseconds: UInt64) -> Self {
        let (sum, overflow) = self.nanoseconds.addingReportingOverflow(nanoseconds)
        return Self(nanoseconds: overflow ? .max : sum)
    }

    /// Whole milliseconds from `self` to `later`, rounded up; zero when `later` is not later.
    public func millisecondsRoundedUp(until later: Self) -> Int64 {
        guard later.nanoseconds > nanoseconds else { return 0 }
        let (milliseconds, rest) = (later.nanoseconds - nanoseconds).quotientAndRemainder(dividingBy: 1_000_000)
        return Int64(clamping: milliseconds + (rest == 0 ? 0 : 1))
    }

    /// Time from `earlier` to `self`; zero when `earlier` is later.
    public func since(_ earlier: Self) -> Duration {
        guard nanoseconds > earlier.nanoseconds else { return .zero }
        return .nanoseconds(Int64(clamping: nanoseconds - earlier.nanoseconds))
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to zero for negative durations and to `UInt64.max` for huge ones.
    public var nanosecondsClamped: UInt64 {
        // From the 128-bit attosecond count directly: `components` divides by 10^18 in software,
        // ~600 instructions, and deadlines and lifetimes add durations on every request (issue 10).
        let attoseconds = self.attoseconds
        guard attoseconds > 0 else { return 0 }
        let nanoseconds = attoseconds / 1_000_000_000
        return nanoseconds > Int128(UInt64.max) ? .max : UInt64(nanoseconds)
    }

    public var milliseconds: Double { Double(nanosecondsClamped) / 1_000_000 }
}
