import AccessCheck
import Routing

/// Builders for candidates, callers, backend answers and checkers.
enum Fixtures {
    static func candidate(
        _ name: String,
        namespace: String = "ns",
        kind: String = "LLMInferenceService",
        phase: String = "Ready",
        probe: ProbeSpec = .modelsList,
        port: Int = 8000,
        annotations: [String: String] = [:],
        created: Int64? = nil
    ) -> Candidate {
        let endpoint = EndpointURL(scheme: "http", host: "127.0.0.1", port: port, path: "/llm/\(name)", query: nil)
        let model = MaaSModel(
            namespace: namespace,
            name: name,
            creationTimestamp: created,
            annotations: annotations,
            modelRef: ModelRef(kind: kind, name: name),
            phase: phase,
            endpoint: endpoint.description
        )
        return Candidate(model: model, probe: probe, endpoint: endpoint)
    }

    static func id(_ name: String, namespace: String = "ns") -> ModelID { ModelID(namespace: namespace, name: name) }

    static func path(_ name: String) -> String { "/llm/\(name)/v1/models" }

    static func caller(_ token: String = "Bearer alice", subscription: String? = nil) -> Caller {
        Caller(credential: Credential(authorizationHeader: token)!, subscription: subscription)
    }

    static func listing(_ ids: [String]) -> ProbeResponse {
        let data = ids.map { #"{"id":"\#($0)","created":1700000000}"# }.joined(separator: ",")
        return .http(status: 200, body: Array(#"{"object":"list","data":[\#(data)]}"#.utf8))
    }

    static func settings(
        deadline: Duration = .seconds(15),
        concurrency: Int = 10,
        lifetimes: DecisionLifetimes = DecisionLifetimes(),
        version: String = "test"
    ) -> AccessCheckSettings {
        AccessCheckSettings(
            deadline: deadline,
            concurrency: concurrency,
            lifetimes: lifetimes,
            userAgentVersion: version
        )
    }

    static func checker(
        _ transport: FakeTransport,
        cache: DecisionCache = DecisionCache(),
        deadline: Duration = .seconds(15),
        concurrency: Int = 10,
        lifetimes: DecisionLifetimes = DecisionLifetimes(),
        random: @escaping @Sendable () -> Double = { 0 },
        observer: (any AccessCheckObserver)? = nil
    ) -> AccessChecker {
        AccessChecker(
            cache: cache,
            transport: transport,
            digest: FakeDigest(),
            settings: settings(deadline: deadline, concurrency: concurrency, lifetimes: lifetimes),
            random: random,
            observer: observer
        )
    }

    static func run(
        _ checker: AccessChecker,
        _ scheduler: ManualScheduler,
        _ candidates: [Candidate],
        caller: Caller = caller(),
        bypassCache: Bool = false
    ) -> ResultBox {
        let box = ResultBox(scheduler: scheduler)
        checker.check(caller: caller, candidates: candidates, bypassCache: bypassCache, scheduler: scheduler) {
            box.deliver($0)
        }
        return box
    }

    static func key(_ candidate: Candidate, caller: Caller = caller()) -> DecisionKey {
        DecisionKey(
            credential: CredentialDigest(caller: caller, digest: FakeDigest()),
            model: candidate.model.id,
            endpoint: candidate.endpoint.description
        )
    }
}
