/// The request id of SPEC 5.3: the caller's `X-Request-Id` when it is 1–128 characters of
/// `[A-Za-z0-9._-]`, else a new random one. Logged and returned on every response.
enum RequestID {
    static func resolve(_ received: String?) -> String {
        if let received, isAcceptable(received) { return received }
        return generate()
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
    static func generate() -> String {
        let value = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))
        return hex(value.0) + hex(value.1)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
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
}
