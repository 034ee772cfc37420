import AccessCheck
import Logging

/// One JSON line per answered request (SPEC 6 Logs), under the `access` message.
///
/// Credentials never appear: `authorization` is `present` or `absent`, and no other header value
/// is written. The path is logged without its query.
struct AccessLog: Sendable {
    let logger: Logger

    func record(_ exchange: ServerExchange, status: Int, bytesOut: Int) {
        let notes = exchange.notes
        var metadata: Logger.Metadata = [
            "requestId": "\(exchange.requestID)",
            "method": "\(exchange.method)",
            "path": "\(exchange.path)",
            "route": "\(notes.route)",
            "status": .stringConvertible(status),
            "durationMs": .stringConvertible(exchange.loop.now.since(exchange.receivedAt).milliseconds),
            "bytesIn": .stringConvertible(exchange.body.count),
            "bytesOut": .stringConvertible(bytesOut),
            "authorization": "\(SensitiveHeader.presence(exchange.header("Authorization")))",
        ]
        if let model = notes.model { metadata["model"] = "\(model)" }
        if let cache = notes.decisionCache { metadata["decisionCache"] = "\(cache)" }
        if let probes = notes.probes { metadata["probes"] = .stringConvertible(probes) }
        if let upstream = notes.upstreamStatus { metadata["upstreamStatus"] = .stringConvertible(upstream) }
        logger.info("access", metadata: metadata)
    }
}

/// Headers whose values never reach a log (SPEC 6): at most whether they were sent.
enum SensitiveHeader {
    static let names: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]

    static func isSensitive(_ name: String) -> Bool { names.contains(name.lowercased()) }

    /// `present` or `absent`: never the value, nor its length.
    static func presence(_ value: String?) -> String {
        (value?.trimmingHTTPWhitespace().isEmpty ?? true) ? "absent" : "present"
    }
}
