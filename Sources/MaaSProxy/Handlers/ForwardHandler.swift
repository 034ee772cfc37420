import AccessCheck
import Routing
import Usage

/// Every call other than `GET /v1/models` (SPEC 5): route by path, then by the body's `model`;
/// admit with the shared decision cache; rewrite; relay through this worker's upstream pool.
///
/// Runs on one worker's loop (hence `@unchecked Sendable`: its closures hop only through that loop);
/// admission never lets a denied call reach a backend's inference path.
final class ForwardHandler: @unchecked Sendable {
    private let context: ProxyContext
    private let checker: AccessChecker
    private let pool: UpstreamConnectionPool
    private let timeouts: ForwardTimeouts
    /// `X-Forwarded-Proto`: the scheme clients used to reach this listener.
    private let scheme: String
    /// `usage.*` (SPEC 7).
    private let usage: UsageConfiguration
    /// This worker's request series.
    private let requests: RequestRecorder

    init(
        context: ProxyContext,
        checker: AccessChecker,
        pool: UpstreamConnectionPool,
        requests: RequestRecorder,
        scheme: String
    ) {
        self.context = context
        self.requests = requests
        self.checker = checker
        self.pool = pool
        self.scheme = scheme
        self.usage = context.configuration.usage
        let upstream = context.configuration.upstream
        self.timeouts = ForwardTimeouts(
            connect: upstream.connectTimeout,
            response: upstream.responseTimeout,
            idle: upstream.idleTimeout
        )
    }

    func handle(_ exchange: ServerExchange) {
        // SPEC 5.2: 401 before anything else.
        guard let credential = Credential(authorizationHeader: exchange.header("authorization")) else {
            exchange.notes.route = "unauthenticated"
            return exchange.respond(.authorizationRequired)
        }
        guard context.catalog.isLoaded else {
            exchange.notes.route = "catalog_not_loaded"
            return exchange.respond(.catalogNotLoaded)
        }
        let caller = Caller(
            credential: credential,
            subscriptionHeaderValues: exchange.headerValues("x-maas-subscription")
        )
        let routing = context.routing()
        if let match = routing.table.match(path: exchange.path) {
            exchange.notes.route = "path"
            return forwardByPath(exchange, match: match, caller: caller)
        }
        if exchange.method == "POST" && exchange.path.hasPrefix("/v1/") {
            exchange.notes.route = "body"
            return forwardByBody(exchange, candidates: routing.candidates, caller: caller)
        }
        exchange.notes.route = "route_not_found"
        exchange.respond(.routeNotFound)
    }

    // MARK: SPEC 5.1 step 1

    private func forwardByPath(_ exchange: ServerExchange, match: RouteMatch, caller: Caller) {
        let candidate = match.candidate
        exchange.notes.model = candidate.idText
        guard candidate.isReady else { return exchange.respond(.modelNotReady) }
        let target = match.upstreamTarget(query: exchange.query)
        // SPEC 5.2: kinds without a probe (ExternalModel) are admitted when Ready; their backend authenticates.
        guard candidate.hasProbe else { return send(exchange, to: target, candidate: candidate, caller: caller) }
        let admission = Admission(exchange, caller: caller, checker: checker)
        // The usual case, a decision cached seconds ago, without a run or a completion (issue 10).
        if !admission.bypassCache,
            let decision = checker.cachedDecision(
                for: candidate,
                caller: caller,
                credential: admission.credential,
                now: exchange.loop.now
            )
        {
            exchange.notes.probes = 0
            exchange.notes.decisionCache = "hit"
            return admit(exchange, decision: decision, to: target, candidate: candidate, caller: caller)
        }
        check(exchange, caller: caller, admission: admission, candidates: [candidate]) { [self] result in
            admit(
                exchange,
                decision: result.decision(for: candidate.id),
                to: target,
                candidate: candidate,
                caller: caller
            )
        }
    }

    private func admit(
        _ exchange: ServerExchange,
        decision: Decision?,
        to target: String,
        candidate: Candidate,
        caller: Caller
    ) {
        guard let decision else { return exchange.respond(.modelAccessDenied) }
        switch decision.outcome {
        case .granted:
            send(exchange, to: target, candidate: candidate, caller: caller)
        case .denied(status: 401):
            exchange.respond(.invalidCredentials)
        case .denied, .unavailable:
            exchange.respond(.modelAccessDenied)
        }
    }

    // MARK: SPEC 5.1 step 2

    private func forwardByBody(_ exchange: ServerExchange, candidates: [Candidate], caller: Caller) {
        guard let stream = exchange.bodyStream else {
            return forwardByBody(exchange, body: exchange.body, candidates: candidates, caller: caller)
        }
        // The body began streaming for a path route the catalog no longer has: read it whole after all.
        stream.collect(limit: context.configuration.limits.maxRequestBodyBytes) { [self] body in
            guard let body else { return exchange.respond(.requestTooLarge) }
            forwardByBody(exchange, body: body, candidates: candidates, caller: caller)
        }
    }

    private func forwardByBody(_ exchange: ServerExchange, body: [UInt8], candidates: [Candidate], caller: Caller) {
        let id: String
        switch RequestBodyModel.read(body, contentType: exchange.header("content-type")) {
        case .invalidJSON: return exchange.respond(.invalidJSON)
        case .missingModel: return exchange.respond(.missingModel)
        case .malformed(let fault): return exchange.respond(.malformedForm(fault))
        case .model(let named): id = named
        }
        // SPEC 5.1 step 2: the ids this caller's own decisions recorded decide, never another
        // caller's (a backend may list different ids per credential). A candidate without a live
        // decision for this caller is checked first; a listing leaves the same decisions behind.
        let admission = Admission(exchange, caller: caller, checker: checker)
        check(exchange, caller: caller, admission: admission, candidates: candidates) { [self] result in
            var matches: [Candidate] = []
            for candidate in candidates {
                guard let decision = result.decision(for: candidate.id), decision.isGranted,
                    ModelListing.serves(id, candidate: candidate, granted: decision)
                        // SPEC 1: a MaaSModelRef's resolved alias names it too, never listed.
                        || candidate.model.resolvedModelAlias == id
                else { continue }
                matches.append(candidate)
            }
            // Unknown and denied answer alike (SPEC 5.1): nothing tells a caller which models exist.
            guard let chosen = matches.first else { return exchange.respond(.modelNotFound) }
            guard matches.count == 1 else {
                let urls = context.configuration.listingURL
                return exchange.respond(.ambiguousModel(urls: matches.map(urls.url(of:)).sorted()))
            }
            exchange.notes.model = chosen.idText
            guard chosen.isReady else { return exchange.respond(.modelNotReady) }
            let target = chosen.endpoint.requestTarget(appendingPath: exchange.path, query: exchange.query)
            send(exchange, to: target, candidate: chosen, caller: caller, body: body)
        }
    }

    // MARK: Admission and sending

    /// Sent with a `Content-Length` even when empty, as clients and servers expect for these.
    private static let methodsWithBody: Set<String> = ["POST", "PUT", "PATCH"]

    /// What a check of a request's caller starts from.
    private struct Admission {
        /// `Cache-Control: no-cache` (SPEC 4): probe again.
        let bypassCache: Bool
        /// The caller's digest, kept by its connection across requests.
        let credential: CredentialDigest

        init(_ exchange: ServerExchange, caller: Caller, checker: AccessChecker) {
            bypassCache = CacheControl.requestsNoCache(exchange.headerValues("cache-control"))
            credential = exchange.credentialDigest(of: caller, using: checker)
        }
    }

    private func check(
        _ exchange: ServerExchange,
        caller: Caller,
        admission: Admission,
        candidates: [Candidate],
        then decide: @escaping @Sendable (AccessCheckResult) -> Void
    ) {
        checker.check(
            caller: caller,
            credential: admission.credential,
            candidates: candidates,
            bypassCache: admission.bypassCache,
            scheduler: exchange.loop
        ) { result in
            exchange.notes.probes = result.probesSent
            exchange.notes.decisionCache =
                result.probesSent > 0 ? "miss" : (result.coalesced > 0 ? "coalesced" : "hit")
            decide(result)
        }
    }

    /// - Parameters:
    ///   - target: the origin-form target on `candidate`'s origin.
    ///   - body: the body read whole; nil sends the exchange's streaming body as it arrives.
    private func send(
        _ exchange: ServerExchange,
        to target: String,
        candidate: Candidate,
        caller: Caller,
        body wholeBody: [UInt8]? = nil
    ) {
        let method = exchange.method
        let stream = wholeBody == nil ? exchange.bodyStream : nil
        let api = method == "POST" ? InferenceAPI(path: exchange.path) : nil
        var body = wholeBody ?? exchange.body
        // SPEC 7: with usage.forceStreamUsage every streamed completion reports its usage. A body that
        // streams upstream is not rewritten: ProxyWorker reads these paths whole when the option is on.
        if usage.forceStreamUsage, stream == nil, api?.takesStreamOptions == true,
            let rewritten = StreamUsageOption.rewrite(body)
        {
            body = rewritten
        }
        var framing: ForwardedHead.BodyFraming =
            !body.isEmpty || Self.methodsWithBody.contains(method) ? .length(body.count) : .none
        if let stream {
            switch stream.framing {
            case .length(let length): framing = .length(length)
            case .chunked: framing = .chunked
            }
        }
        let head = ForwardedHead(
            received: exchange.head,
            method: method,
            target: target,
            host: candidate.hostHeader,
            clientAddress: exchange.peerAddress,
            scheme: scheme,
            requestID: exchange.requestID,
            body: framing
        )
        context.metrics.forwardStarted()
        ForwardRelay.start(
            exchange: exchange,
            pool: pool,
            forward: ForwardRequest(
                origin: candidate.origin,
                head: head,
                body: body,
                bodyStream: stream,
                metersUsage: usage.enabled && api != nil
            ),
            timeouts: timeouts,
            call: ForwardCall(candidate: candidate, caller: caller, startedAt: exchange.loop.now),
            observer: self
        )
    }
}

extension ForwardHandler: ForwardObserver {
    func forwardReceivedHead(_ call: ForwardCall, status: Int, exchange: ServerExchange) {
        exchange.notes.upstreamStatus = status
        requests.upstreamHeadReceived(model: call.candidate.idText, latency: exchange.loop.now.since(call.startedAt))
        // SPEC 4: revocation is seen on the next request, not after the TTL.
        if (status == 401 || status == 403) && call.candidate.hasProbe {
            checker.evictDecision(for: call.candidate, caller: call.caller)
        }
    }

    func forwardEnded(_ call: ForwardCall, outcome: ForwardOutcome, exchange: ServerExchange) {
        context.metrics.forwardEnded()
        switch outcome {
        case .failed(let error, let reason):
            context.logger.warning(
                "upstream call failed",
                metadata: [
                    "requestId": "\(exchange.requestID)", "model": "\(call.candidate.idText)",
                    "upstream": "\(call.candidate.origin.scheme)://\(call.candidate.hostHeader)",
                    "status": "\(error.status)",
                    "reason": "\(reason)",
                ]
            )
        case .aborted:
            context.logger.warning(
                "upstream answer cut off",
                metadata: ["requestId": "\(exchange.requestID)", "model": "\(call.candidate.idText)"]
            )
        case .relayed, .clientGone, .originDown:
            // An origin down was logged once when it went down (OriginHealthLog).
            break
        }
    }
}
