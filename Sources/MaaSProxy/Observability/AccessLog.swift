import AccessCheck
import Foundation
import Logging

/// One JSON line per answered request (SPEC 6 Logs), `"msg":"access"`, in the same stream and shape
/// as the other log lines.
///
/// Written straight to the sink in a fixed key order rather than through swift-log's metadata
/// dictionary: on the warm listing path that dictionary and its sorting cost a fifth of the
/// throughput (bench/observability.sh). Credentials never appear: `authorization` is `present` or
/// `absent`, and no other header value is written. The path is logged without its query.
struct AccessLog: Sendable {
    /// Access lines are `info` events: off while the level is above it.
    let level: LogLevelControl
    let sink: LogSink
    /// `credentialId` on every line that had a credential (SPEC 7).
    let credentialIDs: CredentialIDs

    init(credentialIDs: CredentialIDs, level: LogLevelControl = .process, sink: LogSink = .standardOutput) {
        self.credentialIDs = credentialIDs
        self.level = level
        self.sink = sink
    }

    func record(_ exchange: ServerExchange, status: Int, bytesOut: Int) {
        guard level.current <= .info else { return }
        let notes = exchange.notes
        write(requestID: exchange.requestID, method: exchange.method) { line in
            line.field("path", exchange.path)
            line.field("route", notes.route)
            if let model = notes.model { line.field("model", model) }
            line.key("status")
            line.number(Int64(status))
            line.key("durationMs")
            line.number((exchange.loop.now.since(exchange.receivedAt).milliseconds * 1000).rounded() / 1000)
            line.key("bytesIn")
            line.number(Int64(exchange.bytesIn))
            line.key("bytesOut")
            line.number(Int64(bytesOut))
            if let upstream = notes.upstreamStatus {
                line.key("upstreamStatus")
                line.number(Int64(upstream))
            }
            if notes.clientGone {
                line.key("clientGone")
                line.bool(true)
            }
            if notes.aborted {
                line.key("aborted")
                line.bool(true)
            }
            if let report = notes.usage {
                // SPEC 7: only what the backend reported, never an invented 0.
                let usage = report.usage
                for (key, value) in [
                    ("inputTokens", usage.input), ("outputTokens", usage.output),
                    ("cachedInputTokens", usage.cachedInput),
                ] {
                    guard let value else { continue }
                    line.key(key)
                    line.number(Int64(value))
                }
                if let ttft = report.timeToFirstToken {
                    line.key("ttftMs")
                    line.number((ttft.milliseconds * 1000).rounded() / 1000)
                }
            }
            if let cache = notes.decisionCache { line.field("decisionCache", cache) }
            if let probes = notes.probes {
                line.key("probes")
                line.number(Int64(probes))
            }
            let authorization = exchange.header("authorization")
            line.field("authorization", SensitiveHeader.presence(authorization))
            if let credential = Credential(authorizationHeader: authorization) {
                line.field("credentialId", credentialIDs.id(for: credential))
            }
            if let subscription = Self.subscription(exchange.headerValues("x-maas-subscription")) {
                line.field("subscription", subscription)
            }
        }
    }

    /// The subscription the caller named (SPEC 7): its last non-empty `X-MaaS-Subscription` value,
    /// control characters removed, at most 63 characters; nil when none was sent.
    static func subscription(_ values: [String]) -> String? {
        guard let last = values.lazy.map({ $0.trimmingHTTPWhitespace() }).last(where: { !$0.isEmpty }) else {
            return nil
        }
        var cleaned = String.UnicodeScalarView()
        for scalar in last.unicodeScalars where scalar.properties.generalCategory != .control {
            cleaned.append(scalar)
        }
        let text = String(String(cleaned).prefix(maxSubscriptionCharacters))
        return text.isEmpty ? nil : text
    }

    static let maxSubscriptionCharacters = 63

    /// The line for a request refused before it was parsed whole (the codec's refusals, a request
    /// that did not arrive in time): no path, route `refused`, and the bytes read of it.
    func record(refused: RefusedRequest, bytesOut: Int) {
        guard level.current <= .info else { return }
        write(requestID: refused.requestID, method: refused.method) { line in
            line.field("route", AccessLog.refusedRoute)
            line.key("status")
            line.number(Int64(refused.error.status))
            line.field("error", refused.error.code)
            line.key("bytesIn")
            line.number(Int64(refused.bytesIn))
            line.key("bytesOut")
            line.number(Int64(bytesOut))
            line.field("authorization", refused.authorization)
        }
    }

    /// One line: the fields every access line starts with, then `fields`.
    private func write(requestID: String, method: String, _ fields: (inout JSONWriter) -> Void) {
        var json = JSONWriter()
        json.object { line in
            line.field("time", LogTime.rfc3339Milliseconds(Date()))
            line.field("level", "info")
            line.field("msg", "access")
            line.field("requestId", requestID)
            line.field("method", method)
            fields(&line)
        }
        sink.write(json.bytes + [0x0A])
    }

    /// The route label of requests refused before routing, in access lines and metrics.
    static let refusedRoute = "refused"
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
