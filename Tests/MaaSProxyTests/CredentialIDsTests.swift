import AccessCheck
import Foundation
import Testing

@testable import MaaSProxy

/// The access line's `credentialId` and `subscription` (SPEC 7).
@Suite struct CredentialIDsTests {
    static func credential(_ value: String) -> Credential { Credential(authorizationHeader: value)! }

    @Test func idIsTheFirst16HexDigitsOfHMACSHA256OfTheTrimmedValue() {
        let ids = CredentialIDs(key: Array("k3y".utf8), digest: OpenSSLDigest())
        // python3: hmac.new(b"k3y", b"Bearer sk-alice", hashlib.sha256).hexdigest()[:16]
        #expect(ids.id(for: Self.credential("Bearer sk-alice")) == "9ccd5fccb6f6e4e1")
        #expect(ids.id(for: Self.credential("  Bearer sk-alice\t")) == "9ccd5fccb6f6e4e1")
        #expect(ids.id(for: Self.credential("Bearer sk-bob")) == "b3c40b415cda64aa")
    }

    @Test func aKeyFileGivesStableIdsAndItsTrailingNewlineIsNotPartOfTheKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, contents) in [("lf", "k3y\n"), ("crlf", "k3y\r\n"), ("bare", "k3y")] {
            let file = directory.appendingPathComponent(name)
            try contents.write(to: file, atomically: true, encoding: .utf8)
            let ids = try CredentialIDs(
                configuration: UsageConfiguration(credentialIdKeyFile: file.path),
                digest: OpenSSLDigest()
            )
            #expect(ids.id(for: Self.credential("Bearer sk-alice")) == "9ccd5fccb6f6e4e1", "\(name)")
        }
    }

    @Test func anEmptyOrUnreadableKeyFileIsAnErrorNamingTheKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty")
        try "\n".write(to: empty, atomically: true, encoding: .utf8)
        for (path, reason) in [
            (empty.path, "is empty"), (directory.appendingPathComponent("none").path, "cannot be read"),
        ] {
            #expect {
                _ = try CredentialIDs(
                    configuration: UsageConfiguration(credentialIdKeyFile: path),
                    digest: OpenSSLDigest()
                )
            } throws: { error in
                "\(error)".contains("usage.credentialIdKeyFile") && "\(error)".contains(reason)
            }
        }
    }

    @Test func withoutAKeyFileEachProcessHasItsOwnKey() throws {
        let first = try CredentialIDs(configuration: UsageConfiguration(), digest: OpenSSLDigest())
        let second = try CredentialIDs(configuration: UsageConfiguration(), digest: OpenSSLDigest())
        let credential = Self.credential("Bearer sk-alice")
        #expect(first.id(for: credential) == first.id(for: credential))
        #expect(first.id(for: credential) != second.id(for: credential))
        #expect(first.id(for: credential).count == 16)
    }

    @Test(arguments: [
        ([String](), nil as String?),
        ([""], nil),
        (["  "], nil),
        (["team-a"], "team-a"),
        (["team-a", " team-b "], "team-b"),
        (["team-a", ""], "team-a"),
        (["te\u{1}am\u{7F}-a\u{85}"], "team-a"),
        (["\u{0}\u{1B}"], nil),
        ([String(repeating: "x", count: 100)], String(repeating: "x", count: 63)),
        (["é" + String(repeating: "x", count: 70)], "é" + String(repeating: "x", count: 62)),
    ])
    func subscriptionIsSanitisedAndBounded(values: [String], expected: String?) {
        #expect(AccessLog.subscription(values) == expected)
    }
}
