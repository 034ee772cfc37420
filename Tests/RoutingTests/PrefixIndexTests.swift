import Testing

@testable import Routing

@Suite("PrefixIndex")
struct PrefixIndexTests {
    /// Keys of several lengths, several per length (the binary search has neighbours on both
    /// sides), some prefixes of others, and equal-length keys that differ in one byte only.
    static let keys = [
        "/a", "/b", "/z",
        "/a/b", "/a/c", "/ab/",
        "/llm/a", "/llm/b", "/llm/c", "/llm/d", "/llm/e",
        "/llm/a/b", "/llm/a/c",
        "/ns/model-\u{e9}",
    ]

    static let index = PrefixIndex(keys.enumerated().map { (key: $1, value: $0) })

    struct Row: Sendable, CustomTestStringConvertible {
        var path: String
        /// The key expected, nil for none.
        var key: String?
        var testDescription: String { path.isEmpty ? "(empty)" : path }
    }

    static let rows: [Row] = [
        // Exact keys, and keys followed by a segment.
        Row(path: "/a", key: "/a"),
        Row(path: "/a/", key: "/a"),
        Row(path: "/a/x", key: "/a"),
        Row(path: "/a/b", key: "/a/b"),
        Row(path: "/a/b/c", key: "/a/b"),
        Row(path: "/a/c/", key: "/a/c"),
        Row(path: "/a/d", key: "/a"),
        Row(path: "/b/v1", key: "/b"),
        Row(path: "/z", key: "/z"),
        Row(path: "/llm/c/v1/chat/completions", key: "/llm/c"),
        Row(path: "/llm/e", key: "/llm/e"),
        Row(path: "/llm/a/b/v1", key: "/llm/a/b"),
        Row(path: "/llm/a/bc", key: "/llm/a"),
        Row(path: "/llm/a/c", key: "/llm/a/c"),
        Row(path: "/ns/model-\u{e9}/v1", key: "/ns/model-\u{e9}"),
        // A key ending in `/` matches only where the path goes on with another `/`.
        Row(path: "/ab//x", key: "/ab/"),
        Row(path: "/ab/x", key: nil),
        // Segment boundaries: a key that ends inside a segment is no match.
        Row(path: "/ab", key: nil),
        Row(path: "/bc", key: nil),
        Row(path: "/llm/f", key: nil),
        Row(path: "/llm/ab", key: nil),
        Row(path: "/llm", key: nil),
        Row(path: "/llm/", key: nil),
        // One byte apart from a key of the same length, before and after it.
        Row(path: "/llm/`", key: nil),
        Row(path: "/llm/{", key: nil),
        Row(path: "/A", key: nil),
        Row(path: "/ns/model-e", key: nil),
        // Nothing, or shorter than every key.
        Row(path: "", key: nil),
        Row(path: "/", key: nil),
        Row(path: "a", key: nil),
        Row(path: "x/a", key: nil),
    ]

    @Test(arguments: rows)
    func findsTheLongestWholeSegmentKey(_ row: Row) {
        var path = row.path
        let found = path.withUTF8 { Self.index.longestPrefix(of: $0) }
        #expect(found.map { Self.keys[$0.value] } == row.key)
        if let key = row.key { #expect(found?.length == key.utf8.count) }
    }

    @Test func anEmptyIndexFindsNothing() {
        var path = "/a/b"
        #expect(path.withUTF8 { PrefixIndex([]).longestPrefix(of: $0) } == nil)
    }

    /// Many keys of one length: every key is found, every key with its last byte changed is not.
    @Test func everyKeyOfALargeGroupIsFound() {
        let keys = (0..<2_000).map { "/ns-\($0 % 37)/model-\(String($0, radix: 16))" }
        let index = PrefixIndex(keys.enumerated().map { (key: $1, value: $0) })
        let known = Set(keys)
        for (position, key) in keys.enumerated() {
            var path = key + "/v1/models"
            #expect(path.withUTF8 { index.longestPrefix(of: $0)?.value } == position)
            var near = String(key.dropLast()) + "~"
            if !known.contains(near) { #expect(near.withUTF8 { index.longestPrefix(of: $0) } == nil) }
        }
    }
}
