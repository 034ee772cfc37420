import Routing
import Testing

/// `RouteTable.match` against a direct reading of SPEC 5.1 step 1 (every route, every whole-segment
/// prefix, longest wins; `.`/`..` segments in any spelling match nothing), over a catalog with
/// nested prefixes and paths built around them.
@Suite("RouteTable against the reference")
struct RouteTableReferenceTests {
    static let endpoints = [
        "https://gw/llm/a", "https://gw/llm/a/b", "https://gw/llm/a/b/c", "https://gw/llm/ab",
        "https://gw/llm/b%2Fc", "https://gw/x", "https://gw/x/y/z/w", "http://h:8000/",
        "https://gw/\u{e9}t\u{e9}/m", "https://gw/d/./e", "https://gw/f/%2e%2E", "https://gw/g/..%2fh",
        "https://gw/i%25",
    ]

    static let table = RouteTable(
        snapshot: CatalogSnapshot(
            models: endpoints.enumerated().map { index, endpoint in
                MaaSModel(
                    namespace: "ns",
                    name: "m\(index)",
                    modelRef: ModelRef(name: "r\(index)"),
                    phase: "Ready",
                    endpoint: endpoint
                )
            }
        )
    )

    /// The longest route prefix that `path` starts with at a segment boundary.
    static func reference(_ path: String) -> (prefix: String, remainder: String)? {
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/"), !referenceHasDotSegment(path) else { return nil }
        let found = table.routes.map(\.prefix).filter { prefix in
            let key = Array(prefix.utf8)
            return bytes.starts(with: key) && (bytes.count == key.count || bytes[key.count] == UInt8(ascii: "/"))
        }
        guard let longest = found.max(by: { $0.utf8.count < $1.utf8.count }) else { return nil }
        return (longest, String(decoding: bytes[longest.utf8.count...], as: UTF8.self))
    }

    static func referenceHasDotSegment(_ path: String) -> Bool {
        var text = path.lowercased()
        for (from, to) in [("%2e", "."), ("%2f", "/"), ("%5c", "/"), ("\\", "/")] {
            text = text.replacing(from, with: to)
        }
        return text.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == "." || $0 == ".." }
    }

    static var paths: [String] {
        let tails = [
            "", "/", "//", "/v1/chat/completions", "x", "/.", "/..", "/...", "/.x", "/%2e", "/%2E%2e/x", "/a%2fb",
            "/..%5cx", "/v1/models.json", "/%", "/%2",
        ]
        var paths: [String] = ["", "/", "//", "x", "/v1/models"]
        for route in table.routes {
            for tail in tails { paths.append(route.prefix + tail) }
            paths.append(String(route.prefix.dropLast()))
            paths.append(route.prefix.uppercased())
        }
        // Dots and percents at every offset of the eight-byte scan, inside and outside a segment.
        for padding in 0..<20 {
            let filler = String(repeating: "q", count: padding)
            paths += ["/x/\(filler)/..", "/x/\(filler)..", "/x/\(filler)/%2e/y", "/x/\(filler)%25", "/x/\(filler)/."]
        }
        return paths
    }

    @Test func theCatalogHoldsRoutesWithDotSegments() {
        // So that `matchesTheReference` sees prefixes that must never match.
        let prefixes = Set(Self.table.routes.map(\.prefix))
        #expect(prefixes.isSuperset(of: ["/d/./e", "/f/%2e%2E", "/g/..%2fh", "/i%25"]))
    }

    @Test(arguments: paths)
    func matchesTheReference(_ path: String) {
        let match = Self.table.match(path: path)
        let expected = Self.reference(path)
        #expect(match?.route.prefix == expected?.prefix)
        #expect(match?.remainder == expected?.remainder)
        #expect(match?.rest == expected?.remainder[...])
        // A slice of a longer string routes exactly as the same path on its own.
        let target = path + "?q=1"
        let slice = target[..<target.index(target.endIndex, offsetBy: -4)]
        #expect(Self.table.match(path: slice) == match)
        let padded = "##" + path + "?q"
        let inner = padded.dropFirst(2).dropLast(2)
        #expect(Self.table.match(path: inner) == match)
        guard let match else { return }
        // The endpoint's path without trailing `/`, then the rest; the endpoint's path alone for none.
        var base = Substring(match.endpoint.path)
        while base.hasSuffix("/") { base = base.dropLast() }
        let upstream = match.remainder.isEmpty ? match.endpoint.path : String(base) + match.remainder
        #expect(match.upstreamPath == upstream)
        #expect(Self.table.match(path: slice)?.upstreamPath == upstream)
        #expect(Self.table.match(path: inner)?.upstreamPath == upstream)
        #expect(RouteMatch(route: match.route, remainder: match.remainder).upstreamPath == upstream)
    }
}
