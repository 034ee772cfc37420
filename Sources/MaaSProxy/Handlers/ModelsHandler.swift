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

    /// `GET /v1/models` (SPEC 3).
    func handle(_ exchange: ServerExchange) {
        answerFromListing(exchange) { entries in
            (status: 200, body: ModelListing.json(entries))
        }
    }

    /// `GET /v1/models/{id}` (SPEC 3.6): the caller's own listing entry for `id`, the first in
    /// listing order when several models serve it.
    func retrieve(_ exchange: ServerExchange, id: String) {
        answerFromListing(exchange) { entries in
            guard let entry = entries.first(where: { $0.id == id }) else { return nil }
            return (status: 200, body: ModelListing.json(entry))
        }
    }

    /// Runs the caller's access check over every candidate and answers with what `answer` makes of
    /// the listing's entries (nil: `404 model_not_found`), with the headers of SPEC 3.5.
    private func answerFromListing(
        _ exchange: ServerExchange,
        answer: @escaping @Sendable ([ModelEntry]) -> (status: Int, body: [UInt8])?
    ) {
        let noStore = HTTPHeader("Cache-Control", "no-store")
        guard exchange.method == "GET" || exchange.method == "HEAD" else {
            return exchange.respond(.methodNotAllowed(allow: "GET, HEAD"), extraHeaders: [noStore])
        }
        // SPEC 3 step 1: exactly this body, and no backend is contacted.
        guard let credential = Credential(authorizationHeader: exchange.header("authorization")) else {
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
            subscriptionHeaderValues: exchange.headerValues("x-maas-subscription")
        )
        let bypassCache = CacheControl.requestsNoCache(exchange.headerValues("cache-control"))
        let loop = exchange.loop
        let urls = context.configuration.listingURL
        checker.check(caller: caller, candidates: candidates, bypassCache: bypassCache, scheduler: loop) { result in
            exchange.notes.probes = result.probesSent
            exchange.notes.decisionCache = result.probesSent > 0 ? "miss" : (result.coalesced > 0 ? "coalesced" : "hit")
            let entries = ModelListing.entries(candidates: candidates, decisions: result.decisions, urls: urls)
            guard let (status, body) = answer(entries) else {
                return exchange.respond(.modelNotFound, extraHeaders: [noStore])
            }
            let checkedAt = ModelListing.rfc3339(result.oldestDecisionWall ?? loop.wallClockSeconds)
            exchange.respond(
                status: status,
                headers: [
                    HTTPHeader("Content-Type", "application/json"), noStore,
                    HTTPHeader("X-Access-Checked-At", checkedAt),
                ],
                body: exchange.method == "HEAD" ? [] : body
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
