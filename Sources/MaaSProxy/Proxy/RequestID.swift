/// The request id of SPEC 5.3: the caller's `X-Request-Id` when it is 1–128 characters of
/// `[A-Za-z0-9._-]`, else a new random one. Logged and returned on every response.
enum RequestID {
    static func resolve(_ received: String?) -> String {
        var random = SystemRandomNumberGenerator()
        return resolve(received, random: &random)
    }

    static func resolve(_ received: String?, random: inout some RandomNumberGenerator) -> String {
        if let received, isAcceptable(received) { return received }
        return generate(random: &random)
    }

    static func isAcceptable(_ value: String) -> Bool {
        (1...128).contains(value.utf8.count)
            && value.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }

    /// 32 hex digits from the system's random source.
    static func generate(random: inout some RandomNumberGenerator) -> String {
        let digits: StaticString = "0123456789abcdef"
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for nibble in 0..<16 {
                let shift = UInt64(60 - nibble * 4)
                buffer[nibble] = digits.utf8Start[Int((high >> shift) & 0xF)]
                buffer[16 + nibble] = digits.utf8Start[Int((low >> shift) & 0xF)]
            }
            return 32
        }
    }
}

/// What a handler learned about a request, for its access-log line (SPEC 6 Logs).
struct AccessNotes: Sendable {
    /// `models`, `admin`, `route_not_found`, …: a bounded set, never a raw path.
    var route = "unknown"
    /// The catalog model, `namespace/name`, when one was involved.
    var model: String?
    /// `hit` when every decision came from the cache, `miss` when a probe ran.
    var decisionCache: String?
    var probes: Int?
    var upstreamStatus: Int?
    /// The client left before the answer ended.
    var clientGone = false
    /// A streamed answer was cut off because its upstream broke off or timed out (SPEC 5.4).
    var aborted = false
    /// The tokens a metered answer reported (SPEC 7); nil when the answer was not metered (not a 2xx
    /// answer of an inference call, or `usage.enabled: false`).
    var usage: UsageReport?
}
