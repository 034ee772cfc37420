import AccessCheck

/// The admin listener (SPEC 6): `/healthz` (alive), `/readyz` (catalog loaded from every source) and
/// `/metrics` (Prometheus text format).
struct AdminHandler {
    /// True once every enabled model source has loaded; read on every `/readyz`.
    var isReady: @Sendable () -> Bool
    /// The Prometheus text of every series.
    var scrapeMetrics: @Sendable () -> [UInt8]

    func handle(_ exchange: ServerExchange) {
        let json = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Cache-Control", "no-store")]
        switch exchange.path {
        case "/healthz":
            exchange.respond(status: 200, headers: json, body: Array(#"{"status":"ok"}"#.utf8))
        case "/metrics":
            exchange.respond(
                status: 200,
                headers: [HTTPHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                body: scrapeMetrics()
            )
        case "/readyz":
            if isReady() {
                exchange.respond(status: 200, headers: json, body: Array(#"{"status":"ready"}"#.utf8))
            } else {
                exchange.respond(status: 503, headers: json, body: Array(#"{"status":"catalog not loaded"}"#.utf8))
            }
        default:
            let error = ProxyError(
                status: 404,
                type: "invalid_request_error",
                code: "not_found",
                message: "The admin listener serves /healthz, /readyz and /metrics."
            )
            exchange.respond(error)
        }
    }
}
