import Routing
import Testing

/// `appendingPath` against its definition read Character by Character (one trailing `/` of the
/// path and one leading `/` of the suffix dropped, joined by `/`), for paths and suffixes whose
/// `/` sits next to ASCII, next to nothing, or next to scalars that join it into a larger
/// Character (a combining mark after it, a prepended concatenation mark before it).
@Suite("EndpointURL.appendingPath against the reference")
struct EndpointURLJoiningReferenceTests {
    static let paths = ["", "/", "//", "/a", "/a/", "/a//", "/\u{e9}/", "/x\u{600}/", "/x\u{301}", "/llm/facebook-opt"]
    static let suffixes = [
        "", "/", "//", "v1", "/v1", "//v1", "/\u{301}v1", "\u{301}", "/\u{e9}", "/v1/chat/completions",
    ]

    static func reference(_ path: String, _ suffix: String) -> String {
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        let tail = suffix.hasPrefix("/") ? String(suffix.dropFirst()) : suffix
        return tail.isEmpty ? (base.isEmpty ? "/" : base) : base + "/" + tail
    }

    @Test(arguments: paths, suffixes)
    func joinsAsTheCharactersRead(_ path: String, _ suffix: String) {
        let endpoint = EndpointURL(scheme: "http", host: "h", port: 8000, path: path, query: "q=1")
        let expected = Self.reference(path, suffix)
        #expect(endpoint.appendingPath(suffix).path == expected)
        // A slice of a longer target joins the same.
        let target = "?" + suffix + "?x=1"
        // (Cut by UTF-8 offsets: a combining mark at the start joins the `?` into one Character.)
        let utf8 = target.utf8
        let slice = target[utf8.index(after: utf8.startIndex)..<utf8.index(utf8.endIndex, offsetBy: -4)]
        #expect(endpoint.appendingPath(slice).path == expected)
        #expect(endpoint.appendingPath(suffix).query == "q=1")
        #expect(endpoint.appendingPath(suffix).hostHeader == "h:8000")
    }
}
