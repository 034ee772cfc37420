import Routing
import Testing

@Suite("SelfAddress")
struct SelfAddressTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var address: SelfAddress
        var endpoint: String
        var matches: Bool
        var testDescription: String { "\(address) ~ \(endpoint)" }
    }

    static let wildcard4 = SelfAddress(host: "0.0.0.0", port: 8080)
    static let wildcard6 = SelfAddress(host: "[::]", port: 8080)
    static let loopback = SelfAddress(host: "127.0.0.1", port: 8080)
    static let specific = SelfAddress(host: "10.0.0.5", port: 8080)
    static let named = SelfAddress(host: "Proxy.NS.svc", port: 8080)
    static let publicURL = SelfAddress(publicURL: EndpointURL(parsing: "https://maas.apps.example.com")!)

    static let rows: [Row] = [
        Row(address: wildcard4, endpoint: "http://localhost:8080/llm/a", matches: true),
        Row(address: wildcard4, endpoint: "http://LOCALHOST:8080", matches: true),
        Row(address: wildcard4, endpoint: "http://localhost.:8080", matches: true),
        Row(address: wildcard4, endpoint: "http://proxy.localhost:8080", matches: true),
        Row(address: wildcard4, endpoint: "http://127.0.0.1:8080", matches: true),
        Row(address: wildcard4, endpoint: "https://127.9.9.9:8080", matches: true),
        Row(address: wildcard4, endpoint: "http://0.0.0.0:8080", matches: true),
        Row(address: wildcard4, endpoint: "http://[::1]:8080", matches: true),
        Row(address: wildcard4, endpoint: "http://[0:0:0:0:0:0:0:1]:8080", matches: true),
        Row(address: wildcard4, endpoint: "http://[::]:8080", matches: true),
        Row(address: wildcard4, endpoint: "http://[::ffff:127.0.0.1]:8080", matches: true),
        Row(address: wildcard4, endpoint: "http://localhost:8081", matches: false),
        Row(address: wildcard4, endpoint: "http://localhost", matches: false),
        Row(address: wildcard4, endpoint: "http://backend:8080", matches: false),
        Row(address: wildcard4, endpoint: "http://10.0.0.5:8080", matches: false),
        Row(address: wildcard4, endpoint: "http://[::ffff:10.0.0.5]:8080", matches: false),
        Row(address: wildcard4, endpoint: "http://[::2]:8080", matches: false),
        Row(address: wildcard4, endpoint: "http://localhost.example.com:8080", matches: false),
        Row(address: wildcard6, endpoint: "http://127.0.0.1:8080", matches: true),
        Row(address: wildcard6, endpoint: "http://[::1]:8080", matches: true),
        Row(address: SelfAddress(host: "", port: 443), endpoint: "https://localhost/llm", matches: true),
        Row(address: loopback, endpoint: "http://localhost:8080", matches: true),
        Row(address: loopback, endpoint: "http://127.0.0.1:8080", matches: true),
        Row(address: loopback, endpoint: "http://backend:8080", matches: false),
        Row(address: specific, endpoint: "http://10.0.0.5:8080/x", matches: true),
        Row(address: specific, endpoint: "https://10.0.0.5:8080/x", matches: true),
        Row(address: specific, endpoint: "http://localhost:8080", matches: false),
        Row(address: specific, endpoint: "http://10.0.0.6:8080", matches: false),
        Row(address: named, endpoint: "http://proxy.ns.svc:8080/llm/a", matches: true),
        Row(address: publicURL, endpoint: "https://maas.apps.example.com/llm/a", matches: true),
        Row(address: publicURL, endpoint: "https://MAAS.apps.example.com:443", matches: true),
        Row(address: publicURL, endpoint: "http://maas.apps.example.com:443/llm/a", matches: false),
        Row(address: publicURL, endpoint: "https://maas.apps.example.com:8443/llm/a", matches: false),
        Row(address: publicURL, endpoint: "https://other.apps.example.com/llm/a", matches: false),
        Row(address: publicURL, endpoint: "https://localhost/llm/a", matches: false),
    ]

    @Test(arguments: rows)
    func matchesEndpoint(_ row: Row) throws {
        let endpoint = try #require(EndpointURL(parsing: row.endpoint))
        #expect(row.address.matches(endpoint) == row.matches)
    }

    @Test(arguments: [
        ("0.0.0.0:8080", SelfAddress?(SelfAddress(host: "0.0.0.0", port: 8080))),
        (":8080", SelfAddress(host: "", port: 8080)),
        ("[::]:9443", SelfAddress(host: "::", port: 9443)),
        ("[0:0::1]:80", SelfAddress(host: "::1", port: 80)),
        ("LocalHost:1", SelfAddress(host: "localhost", port: 1)),
        ("::1:8080", nil),
        ("localhost", nil),
        ("localhost:", nil),
        ("localhost:0", nil),
        ("localhost:65536", nil),
        ("localhost:http", nil),
        ("localhost:+80", nil),
    ])
    func parsesListenValue(_ text: String, _ expected: SelfAddress?) {
        #expect(SelfAddress(listen: text) == expected)
    }

    @Test func normalisesHostsAndDescribesThemselves() throws {
        #expect(SelfAddress(host: "[2001:DB8::0:1]", port: 8080).host == "2001:db8::1")
        #expect(SelfAddress(host: "[2001:DB8::0:1]", port: 8080).description == "[2001:db8::1]:8080")
        let url = try #require(EndpointURL(parsing: "HTTPS://Maas.Example.com:8443/ignored?x"))
        let address = SelfAddress(publicURL: url)
        #expect(address.scheme == "https")
        #expect(address.description == "https://maas.example.com:8443")
    }
}
