import AccessCheck
import Routing
import Testing

@Suite struct CredentialDigestTests {
    static func input(_ token: String, _ subscription: String?) -> [UInt8] {
        CredentialDigest(caller: Fixtures.caller(token, subscription: subscription), digest: IdentityDigest()).bytes
    }

    @Test func fieldsAreLengthPrefixedAndTheSubscriptionTagged() {
        // 8-byte big-endian length, the credential, then 0 (no subscription) or 1 + length + value.
        #expect(Self.input("tok", nil) == [0, 0, 0, 0, 0, 0, 0, 3] + Array("tok".utf8) + [0])
        #expect(
            Self.input("tok", "s") == [0, 0, 0, 0, 0, 0, 0, 3] + Array("tok".utf8) + [1, 0, 0, 0, 0, 0, 0, 0, 1, 115]
        )
    }

    @Test(
        arguments: [
            (("ab", "c"), ("a", "bc")),
            (("a", "b"), ("a", "b\u{0}")),
            (("a\u{0}", nil), ("a", "")),
            (("tok", nil), ("tok", "x")),
            (("tok", "0"), ("tok", nil)),
        ] as [((String, String?), (String, String?))]
    )
    func distinctCallersNeverShareAnInput(one: (String, String?), other: (String, String?)) {
        #expect(Self.input(one.0, one.1) != Self.input(other.0, other.1))
    }

    @Test func theTrimmedCredentialIsWhatCounts() {
        #expect(Self.input("  Bearer x\t", nil) == Self.input("Bearer x", nil))
        #expect(Self.input("Bearer x", " gold ") == Self.input("Bearer x", "gold"))
    }

    @Test func theKeyHoldsOnlyTheDigestNeverTheCredential() {
        let token = "Bearer very-secret-token"
        let key = DecisionKey(
            credential: CredentialDigest(caller: Fixtures.caller(token), digest: FakeDigest()),
            model: ModelID(namespace: "ns", name: "m"),
            endpoint: "http://x/m"
        )
        #expect(key.credential.bytes.count == 32)
        #expect(!String(reflecting: key).contains("secret"))
        let needle = Array("secret".utf8)
        #expect(!key.credential.bytes.indices.contains { key.credential.bytes[$0...].starts(with: needle) })
    }

    @Test func theSameCallerGetsTheSameKeyPerModelAndEndpoint() {
        let candidate = Fixtures.candidate("m")
        #expect(Fixtures.key(candidate) == Fixtures.key(candidate))
        var endpoint = candidate.endpoint
        endpoint.port = 9000
        let moved = Candidate(model: candidate.model, probe: candidate.probe, endpoint: endpoint)
        #expect(Fixtures.key(candidate) != Fixtures.key(moved))
        #expect(Fixtures.key(candidate) != Fixtures.key(Fixtures.candidate("m", namespace: "other")))
        let checker = Fixtures.checker(FakeTransport(scheduler: ManualScheduler()))
        let digest = CredentialDigest(caller: Fixtures.caller(), digest: FakeDigest())
        #expect(checker.key(for: candidate, credential: digest) == Fixtures.key(candidate))
    }
}
