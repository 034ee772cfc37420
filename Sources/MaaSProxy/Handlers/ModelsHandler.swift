import AccessCheck
import Routing

/// `GET /v1/models` (SPEC 3): the models this caller may use, proven by probing each backend with
/// the caller's own credential. Runs on one worker's loop; the probes go through that worker's pool.
final class ModelsHandler {
    private let context: ProxyContext
    private let checker: AccessChecker

    init(context: ProxyContext, checker: AccessChecker) {
        self.context = context
        self.checker = checker
    }

    func handle(_ exchange: ServerExchange) {
        let noStore = HTTPHeader("Cache-Control", "no-store")
        guard exchange.method == "GET" || exchange.method == "HEAD" else {
            return exchange.respond(.methodNotAllowed(allow: "GET, HEAD"), extraHeaders: [noStore])
        }
        // SPEC 3 step 1: exactly this body, and no backend is contacted.
        guard let credential = Credential(authorizationHeader: exchange.header("Authorization")) else {
            return exchange.respond(
                status: 401,
                headers: [HTTPHeader("Content-Type", "application/json"), noStore],
                body: Array(#"{"error":{"message":"Authorization required","type":"authentication_error"}}"#.utf8)
            )
        }
        guard context.catalog.isLoaded else {
            return exchange.respond(.catalogNotLoaded, extraHeaders: [noStore])
        }
        let candidates = context.routing().candidates
        let caller = Caller(
            credential: credential,
            subscriptionHeaderValues: exchange.headerValues("X-MaaS-Subscription")
        )
        let bypassCache = CacheControl.requestsNoCache(exchange.headerValues("Cache-Control"))
        let loop = exchange.loop
        checker.check(caller: caller, candidates: candidates, bypassCache: bypassCache, scheduler: loop) { result in
            exchange.notes.probes = result.probesSent
            exchange.notes.decisionCache = result.probesSent > 0 ? "miss" : (result.coalesced > 0 ? "coalesced" : "hit")
            let entries = ModelListing.entries(candidates: candidates, decisions: result.decisions)
            let checkedAt = ModelListing.rfc3339(result.oldestDecisionWall ?? loop.wallClockSeconds)
            exchange.respond(
                status: 200,
                headers: [
                    HTTPHeader("Content-Type", "application/json"), noStore,
                    HTTPHeader("X-Access-Checked-At", checkedAt),
                ],
                body: exchange.method == "HEAD" ? [] : ModelListing.json(entries)
            )
        }
    }
}

/// Request `Cache-Control` directives the proxy honours.
enum CacheControl {
    /// True when any `Cache-Control` value carries `no-cache` (SPEC 4: re-probe instead of the cache).
    static func requestsNoCache(_ values: [String]) -> Bool {
        values.contains { value in
            value.split(separator: ",").contains { directive in
                String(directive).trimmingHTTPWhitespace().lowercased() == "no-cache"
            }
        }
    }
}
