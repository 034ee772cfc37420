import Routing
import Testing

@Suite("RouteTable")
struct RouteTableTests {
    static func model(
        _ namespace: String,
        _ name: String,
        endpoint: String,
        kind: String = "",
        refName: String? = nil,
        refNamespace: String? = nil
    ) -> MaaSModel {
        MaaSModel(
            namespace: namespace,
            name: name,
            modelRef: ModelRef(kind: kind, name: refName ?? name, namespace: refNamespace),
            phase: "Ready",
            endpoint: endpoint
        )
    }

    static let catalog = CatalogSnapshot(models: [
        model("llm", "a", endpoint: "https://gw.example.com/llm/a"),
        model("llm", "ab", endpoint: "https://gw.example.com/llm/a/b/"),
        model("llm", "bc", endpoint: "https://gw.example.com/llm/bc"),
        model("team", "root", endpoint: "http://root.team.svc:8000/", refName: "root-isvc", refNamespace: "serving"),
        model("team", "bare", endpoint: "http://bare.team.svc:8000", kind: "ExternalModel"),
        model("team", "unknown", endpoint: "https://gw.example.com/team/unknown", kind: "Mystery"),
        model("team", "invalid", endpoint: "https://gw.example.com/team/in valid"),
        model("team", "pending", endpoint: ""),
    ])

    struct Row: Sendable, CustomTestStringConvertible {
        var path: String
        /// `namespace/name` of the matched model, or nil for no match.
        var model: String?
        var remainder = ""
        var testDescription: String { path.isEmpty ? "(empty)" : path }
    }

    static let rows: [Row] = [
        Row(path: "/llm/a", model: "llm/a"),
        Row(path: "/llm/a/", model: "llm/a", remainder: "/"),
        Row(path: "/llm/a/v1/chat/completions", model: "llm/a", remainder: "/v1/chat/completions"),
        Row(path: "/llm/a/bc", model: "llm/a", remainder: "/bc"),
        Row(path: "/llm/a/b", model: "llm/ab"),
        Row(path: "/llm/a/b/", model: "llm/ab", remainder: "/"),
        Row(path: "/llm/a/b/v1/models", model: "llm/ab", remainder: "/v1/models"),
        Row(path: "/llm/a//v1/models", model: "llm/a", remainder: "//v1/models"),
        Row(path: "/llm/a/.well-known/x", model: "llm/a", remainder: "/.well-known/x"),
        Row(path: "/llm/a/v1/models/org%2Fmodel", model: "llm/a", remainder: "/v1/models/org%2Fmodel"),
        Row(path: "/llm/bc/v1/models", model: "llm/bc", remainder: "/v1/models"),
        Row(path: "/serving/root-isvc/v1/models", model: "team/root", remainder: "/v1/models"),
        Row(path: "/serving/root-isvc", model: "team/root"),
        Row(path: "/team/bare/v1/chat/completions", model: "team/bare", remainder: "/v1/chat/completions"),
        Row(path: "/llm/ab", model: nil),
        Row(path: "/llm/b", model: nil),
        Row(path: "/LLM/a", model: nil),
        Row(path: "/llm", model: nil),
        Row(path: "/llm/", model: nil),
        Row(path: "/", model: nil),
        Row(path: "", model: nil),
        Row(path: "llm/a", model: nil),
        Row(path: "//llm/a", model: nil),
        Row(path: "/team/root/v1/models", model: nil),
        Row(path: "/team/unknown/v1/models", model: nil),
        Row(path: "/team/invalid/v1/models", model: nil),
        Row(path: "/team/pending/v1/models", model: nil),
        Row(path: "/v1/chat/completions", model: nil),
        Row(path: "/llm/a/../bc/v1/models", model: nil),
        Row(path: "/llm/a/./v1/models", model: nil),
        Row(path: "/llm/a/..", model: nil),
        Row(path: "/llm/a/%2e%2e/bc", model: nil),
        Row(path: "/llm/a/.%2E/bc", model: nil),
        Row(path: "/llm/a/..%2fbc", model: nil),
        Row(path: "/llm/a/..%5Cbc", model: nil),
        Row(path: "/llm/a/..\\bc", model: nil),
        Row(path: "/llm/a/b/%2e", model: nil),
        // Dots that do not make a whole `.` or `..` segment are ordinary bytes.
        Row(path: "/llm/a/.../v1/models", model: "llm/a", remainder: "/.../v1/models"),
        Row(path: "/llm/a/.well-known", model: "llm/a", remainder: "/.well-known"),
        Row(path: "/llm/a/v1..x", model: "llm/a", remainder: "/v1..x"),
        Row(path: "/llm/a/%2", model: "llm/a", remainder: "/%2"),
        Row(path: "/llm/a/%2x%2e", model: "llm/a", remainder: "/%2x%2e"),
    ]

    @Test(arguments: rows)
    func matchesLongestWholeSegmentPrefix(_ row: Row) {
        let table = RouteTable(snapshot: Self.catalog)
        let match = table.match(path: row.path)
        #expect(match?.model.id.description == row.model)
        if row.model != nil {
            #expect(match?.remainder == row.remainder)
            #expect(match.map { $0.route.prefix + $0.remainder } == row.path)
        }
    }

    @Test func listsRoutesOfRoutableModelsOnly() {
        let table = RouteTable(snapshot: Self.catalog)
        #expect(
            table.routes.map { "\($0.prefix) \($0.model.id)" } == [
                "/llm/a llm/a",
                "/llm/a/b llm/ab",
                "/llm/bc llm/bc",
                "/serving/root-isvc team/root",
                "/team/bare team/bare",
            ]
        )
        #expect(table.conflicts == [])
        #expect(table.routes.map(\.candidate.probe).contains(ProbeSpec.none))
    }

    struct Upstream: Sendable, CustomTestStringConvertible {
        var path: String
        var query: String?
        var expected: String
        var testDescription: String { path + (query.map { "?" + $0 } ?? "") }
    }

    static let upstreams: [Upstream] = [
        Upstream(path: "/llm/a/v1/models", query: nil, expected: "https://gw.example.com/llm/a/v1/models"),
        Upstream(path: "/llm/a", query: nil, expected: "https://gw.example.com/llm/a"),
        Upstream(path: "/llm/a/", query: "x=1", expected: "https://gw.example.com/llm/a/?x=1"),
        Upstream(path: "/llm/a/b", query: nil, expected: "https://gw.example.com/llm/a/b/"),
        Upstream(
            path: "/llm/a/b/v1/completions",
            query: "",
            expected: "https://gw.example.com/llm/a/b/v1/completions?"
        ),
        Upstream(
            path: "/serving/root-isvc/v1/chat/completions",
            query: nil,
            expected: "http://root.team.svc:8000/v1/chat/completions"
        ),
        Upstream(path: "/serving/root-isvc", query: nil, expected: "http://root.team.svc:8000/"),
        Upstream(
            path: "/team/bare/v1/models",
            query: "limit=5",
            expected: "http://bare.team.svc:8000/v1/models?limit=5"
        ),
        Upstream(path: "/team/bare", query: nil, expected: "http://bare.team.svc:8000/"),
        Upstream(path: "/q/m/v1/models", query: nil, expected: "https://q.example.com/q/m/v1/models"),
        Upstream(path: "/q/m/v1/models", query: "mine=1", expected: "https://q.example.com/q/m/v1/models?mine=1"),
    ]

    @Test(arguments: upstreams)
    func upstreamTargetIsEndpointPlusRemainderWithRequestQuery(_ row: Upstream) throws {
        let snapshot = CatalogSnapshot(
            models: Self.catalog.models + [Self.model("q", "m", endpoint: "https://q.example.com/q/m?endpoint=1")]
        )
        let match = try #require(RouteTable(snapshot: snapshot).match(path: row.path))
        #expect(Self.sent(match, query: row.query) == row.expected)
    }

    /// Where a forwarded call of `match` goes: the candidate's origin and the upstream target.
    static func sent(_ match: RouteMatch, query: String?) -> String {
        let candidate = match.candidate
        #expect(candidate.origin == BackendOrigin(candidate.endpoint))
        return "\(candidate.origin.scheme)://\(candidate.hostHeader)\(match.upstreamTarget(query: query))"
    }

    @Test(arguments: [
        ("https://h/llm/x", "/llm/x"),
        ("https://h/llm/x/", "/llm/x"),
        ("https://h/llm/x//", "/llm/x"),
        ("https://h/llm/x?q=1", "/llm/x"),
        ("https://h/", "/ref-ns/ref-name"),
        ("https://h", "/ref-ns/ref-name"),
        ("https://h//", "/ref-ns/ref-name"),
        ("https://h/a%20b", "/a%20b"),
    ])
    func routePrefix(_ endpoint: String, _ expected: String) throws {
        let model = Self.model("own-ns", "own-name", endpoint: endpoint, refName: "ref-name", refNamespace: "ref-ns")
        let url = try #require(EndpointURL(parsing: endpoint))
        #expect(RouteTable.routePrefix(for: model, endpoint: url) == expected)
    }

    @Test(arguments: [(String?.none, "/own-ns/ref-name"), ("", "/own-ns/ref-name"), ("other", "/other/ref-name")])
    func fallbackPrefixUsesRefNamespaceOrOwnNamespace(_ refNamespace: String?, _ expected: String) throws {
        let model = Self.model(
            "own-ns",
            "own-name",
            endpoint: "http://h:1",
            refName: "ref-name",
            refNamespace: refNamespace
        )
        #expect(
            RouteTable.routePrefix(for: model, endpoint: try #require(EndpointURL(parsing: model.endpoint))) == expected
        )
    }

    @Test func samePrefixGoesToLowestModelIDAndIsReported() throws {
        let models = [
            Self.model("zeta", "m", endpoint: "https://z.example.com/shared/m"),
            Self.model("alpha", "m", endpoint: "https://a.example.com/shared/m/"),
            Self.model("beta", "m", endpoint: "https://b.example.com/shared/m"),
            Self.model("shared", "m", endpoint: "http://fallback:8000"),
            Self.model("other", "x", endpoint: "https://x.example.com/other/x"),
        ]
        let table = RouteTable(snapshot: CatalogSnapshot(models: models.reversed()))
        let match = try #require(table.match(path: "/shared/m/v1/models"))
        #expect(match.model.id == ModelID(namespace: "alpha", name: "m"))
        #expect(Self.sent(match, query: nil) == "https://a.example.com/shared/m/v1/models")
        #expect(
            table.conflicts == [
                RouteConflict(
                    prefix: "/shared/m",
                    winner: ModelID(namespace: "alpha", name: "m"),
                    shadowed: [
                        ModelID(namespace: "beta", name: "m"),
                        ModelID(namespace: "shared", name: "m"),
                        ModelID(namespace: "zeta", name: "m"),
                    ]
                )
            ]
        )
        #expect(
            table.conflicts.first?.description
                == "route prefix /shared/m is claimed by alpha/m, beta/m, shared/m, zeta/m; alpha/m wins"
        )
        #expect(table.routes.map(\.prefix) == ["/other/x", "/shared/m"])
    }

    @Test func selectorKeepsSelfReferencingModelsUnroutable() {
        let snapshot = CatalogSnapshot(models: [
            Self.model("llm", "loop", endpoint: "http://localhost:8080/llm/loop"),
            Self.model("llm", "plain", endpoint: "http://backend:8000/llm/plain"),
        ])
        let selector = CandidateSelector(httpsOnly: false, selfAddresses: [SelfAddress(host: "0.0.0.0", port: 8080)])
        #expect(RouteTable(snapshot: snapshot).match(path: "/llm/loop/v1/models") != nil)
        let table = RouteTable(snapshot: snapshot, selector: selector)
        #expect(table.match(path: "/llm/loop/v1/models") == nil)
        #expect(table.match(path: "/llm/plain/v1/models")?.model.name == "plain")
    }

    @Test func emptyTableMatchesNothing() {
        #expect(RouteTable.empty.match(path: "/llm/a") == nil)
        #expect(RouteTable.empty.routes.isEmpty)
    }
}
