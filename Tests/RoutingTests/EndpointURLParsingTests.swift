import Routing
import Testing

@Suite("EndpointURL(parsing:)")
struct EndpointURLParsingTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        var text: String
        var expected: EndpointURL
        var testDescription: String { text }
    }

    static let valid: [Valid] = [
        Valid(
            text: "https://maas.apps.example.com/llm/facebook-opt-125m-simulated",
            expected: EndpointURL(
                scheme: "https",
                host: "maas.apps.example.com",
                port: 443,
                path: "/llm/facebook-opt-125m-simulated",
                query: nil
            )
        ),
        Valid(
            text: "http://backend:8000",
            expected: EndpointURL(scheme: "http", host: "backend", port: 8000, path: "", query: nil)
        ),
        Valid(
            text: "http://backend/",
            expected: EndpointURL(scheme: "http", host: "backend", port: 80, path: "/", query: nil)
        ),
        Valid(
            text: "HTTPS://Maas.Example.COM:8443/LLM/Model",
            expected: EndpointURL(scheme: "https", host: "maas.example.com", port: 8443, path: "/LLM/Model", query: nil)
        ),
        Valid(
            text: "hTtP://10.0.0.7:65535/a%2Fb/c%20d",
            expected: EndpointURL(scheme: "http", host: "10.0.0.7", port: 65535, path: "/a%2Fb/c%20d", query: nil)
        ),
        Valid(
            text: "https://h.example/x?api-version=2024-06-01&tier=gold",
            expected: EndpointURL(
                scheme: "https",
                host: "h.example",
                port: 443,
                path: "/x",
                query: "api-version=2024-06-01&tier=gold"
            )
        ),
        Valid(
            text: "https://h/x?",
            expected: EndpointURL(scheme: "https", host: "h", port: 443, path: "/x", query: "")
        ),
        Valid(
            text: "https://h?q=1",
            expected: EndpointURL(scheme: "https", host: "h", port: 443, path: "", query: "q=1")
        ),
        Valid(
            text: "https://h/x#frag",
            expected: EndpointURL(scheme: "https", host: "h", port: 443, path: "/x", query: nil)
        ),
        Valid(
            text: "https://h/x?a=1#frag?still",
            expected: EndpointURL(scheme: "https", host: "h", port: 443, path: "/x", query: "a=1")
        ),
        Valid(
            text: "http://[::1]:8080/v1",
            expected: EndpointURL(scheme: "http", host: "::1", port: 8080, path: "/v1", query: nil)
        ),
        Valid(
            text: "https://[2001:DB8:0:0:0:0:0:1]/",
            expected: EndpointURL(scheme: "https", host: "2001:db8::1", port: 443, path: "/", query: nil)
        ),
        Valid(
            text: "http://[::ffff:127.0.0.1]:81",
            expected: EndpointURL(scheme: "http", host: "::ffff:7f00:1", port: 81, path: "", query: nil)
        ),
        // RFC 5952: the first of equally long zero runs, the longest run, never a single zero group.
        Valid(
            text: "http://[1:0:0:2:0:0:3:4]",
            expected: EndpointURL(scheme: "http", host: "1::2:0:0:3:4", port: 80, path: "", query: nil)
        ),
        Valid(
            text: "http://[1:0:0:2:0:0:0:3]",
            expected: EndpointURL(scheme: "http", host: "1:0:0:2::3", port: 80, path: "", query: nil)
        ),
        Valid(
            text: "http://[1:0:2:3:4:5:6:0007]",
            expected: EndpointURL(scheme: "http", host: "1:0:2:3:4:5:6:7", port: 80, path: "", query: nil)
        ),
        Valid(text: "http://[::]", expected: EndpointURL(scheme: "http", host: "::", port: 80, path: "", query: nil)),
        Valid(text: "http://h:0080", expected: EndpointURL(scheme: "http", host: "h", port: 80, path: "", query: nil)),
        Valid(
            text: "http://my_svc.ns.svc.cluster.local./p",
            expected: EndpointURL(
                scheme: "http",
                host: "my_svc.ns.svc.cluster.local.",
                port: 80,
                path: "/p",
                query: nil
            )
        ),
        Valid(
            text: "https://h/p:@!$&'()*+,;=-._~",
            expected: EndpointURL(scheme: "https", host: "h", port: 443, path: "/p:@!$&'()*+,;=-._~", query: nil)
        ),
        Valid(
            text: "https://h//double",
            expected: EndpointURL(scheme: "https", host: "h", port: 443, path: "//double", query: nil)
        ),
        Valid(
            text: "https://1.2.3.4.example",
            expected: EndpointURL(scheme: "https", host: "1.2.3.4.example", port: 443, path: "", query: nil)
        ),
    ]

    @Test(arguments: valid)
    func parsesValidURL(_ row: Valid) {
        #expect(EndpointURL(parsing: row.text) == row.expected)
    }

    /// `description` is the URL as the proxy would send it: an empty path becomes `/`.
    @Test(arguments: valid)
    func descriptionParsesBackToTheSameURL(_ row: Valid) throws {
        let url = try #require(EndpointURL(parsing: row.text))
        var expected = url
        if expected.path.isEmpty { expected.path = "/" }
        #expect(EndpointURL(parsing: url.description) == expected)
    }

    static let invalid: [String] = [
        "",
        "backend:8000",
        "/llm/model",
        "//host/path",
        "ftp://host/path",
        "ws://host/",
        "https:/host/path",
        "https:host",
        "https://",
        "https:///path",
        "https://:8080/path",
        "https://user:pw@host/path",
        "https://user@host/",
        "https://host:pw@evil/",
        "https://host:/path",
        "https://host:0/",
        "https://host:65536/",
        "https://host:123456/",
        "https://host:-1/",
        "https://host:80a/",
        "https://host:8080:90/",
        " https://host/",
        "https://host/ ",
        "https://host/a b",
        "https://ho st/",
        "https://host/\t",
        "https://host/\u{0}",
        "https://host/\u{7F}",
        "https://host\r\n/",
        "https://hôst/",
        "https://host/é",
        "https://host/%zz",
        "https://host/%4",
        "https://host/a|b",
        "https://host/a\\b",
        "https://host/{x}",
        "https://host/p?a=<b>",
        "https://host/p#a#b",
        "https://ex%61mple.com/",
        "https://host!/",
        "https://a..b/",
        "https://.host/",
        "https://./",
        "https://[::1/",
        "https://[::1]x/",
        "https://[::1]:/",
        "https://[fe80::1%25eth0]/",
        "https://[1:2:3:4:5:6:7:8:9]/",
        "https://[1::2::3]/",
        "https://[12345::]/",
        "https://[1.2.3.4::]/",
        "https://[]/",
        "https://::1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://256.0.0.1/",
        "http://example.123/",
    ]

    @Test(arguments: invalid)
    func refusesInvalidURL(_ text: String) {
        #expect(EndpointURL(parsing: text) == nil)
    }
}
