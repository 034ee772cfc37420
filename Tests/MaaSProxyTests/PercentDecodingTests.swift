import Testing

@testable import MaaSProxy

/// `GET /v1/models/{id}` ids (SPEC 3.6): `%XX` decoded, anything doubtful kept as written.
@Suite struct PercentDecodingTests {
    @Test(arguments: [
        ("plain-id", "plain-id"),
        ("org/model", "org/model"),
        ("org%2Fmodel", "org/model"),
        ("org%2fmodel", "org/model"),
        ("a%20b", "a b"),
        ("caf%C3%A9", "café"),
        ("100%", "100%"),
        ("%", "%"),
        ("%2", "%2"),
        ("%zz", "%zz"),
        ("%%41", "%A"),
        ("%2541", "%41"),
        // Not UTF-8 once decoded: the whole id as written.
        ("bad%FF", "bad%FF"),
        ("", ""),
    ])
    func decodes(text: String, expected: String) {
        #expect(PercentDecoding.decode(Substring(text)) == expected)
    }
}
