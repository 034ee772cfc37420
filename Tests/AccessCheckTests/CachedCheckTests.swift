import AccessCheck
import Routing
import Testing

/// The cache-only answer of `AccessChecker.check` and the values it is built from (issue 10):
/// the digest written into a caller's buffer, keys hashed from a candidate's precomputed hash,
/// one-model results without a dictionary.
@Suite struct CachedCheckTests {
    static let callers: [(String, String?)] = [
        ("Bearer alice", nil), ("Bearer alice", "gold"), ("b", ""),
        ("Bearer " + String(repeating: "x", count: 23), nil),
        (String(repeating: "long", count: 20_000), "s"),
    ]

    @Test(arguments: callers)
    func theBufferEntryPointDigestsTheSameInput(_ token: String, _ subscription: String?) {
        let caller = Fixtures.caller(token, subscription: subscription)
        let counting = CountingDigest()
        let direct = CredentialDigest(caller: caller, digest: counting)
        #expect(counting.bufferCalls == 1)
        #expect(counting.arrayCalls == 0)
        let input = CredentialDigest(caller: caller, digest: IdentityDigest()).bytes
        #expect(direct.bytes == FakeDigest().sha256(input))
        #expect(direct == CredentialDigest(caller: caller, digest: FakeDigest()))
        #expect(direct.hashValue == CredentialDigest(caller: caller, digest: FakeDigest()).hashValue)
    }

    @Test func inputsOfAnyLengthReadBackWhole() {
        // 8 + 23 + 1 bytes: exactly a digest's length, so the identity lands in the 32-byte form.
        let token = String(repeating: "t", count: 23)
        #expect(
            CredentialDigest(caller: Fixtures.caller(token), digest: IdentityDigest()).bytes
                == [0, 0, 0, 0, 0, 0, 0, 23] + Array(token.utf8) + [0]
        )
        let long = String(repeating: "k", count: 70_000)
        let bytes = CredentialDigest(caller: Fixtures.caller(long, subscription: "sub"), digest: IdentityDigest()).bytes
        #expect(bytes.count == 8 + 70_000 + 1 + 8 + 3)
        #expect(bytes.suffix(12) == [1, 0, 0, 0, 0, 0, 0, 0, 3] + Array("sub".utf8))
    }

    @Test func distinctCallersGetDistinctDigests() {
        let digests = Self.callers.map {
            CredentialDigest(caller: Fixtures.caller($0, subscription: $1), digest: FakeDigest())
        }
        #expect(Set(digests).count == Self.callers.count)
    }

    @Test func aCandidatesKeyIsTheKeyOfItsIdAndEndpoint() {
        let credential = CredentialDigest(caller: Fixtures.caller(), digest: FakeDigest())
        let candidate = Fixtures.candidate("m")
        let fromCandidate = DecisionKey(credential: credential, candidate: candidate)
        let fromFields = DecisionKey(
            credential: credential,
            model: candidate.model.id,
            endpoint: candidate.endpoint.description
        )
        #expect(fromCandidate == fromFields)
        #expect(fromCandidate.hashValue == fromFields.hashValue)
        #expect(fromCandidate.model == candidate.model.id)
        #expect(fromCandidate.endpoint == candidate.endpoint.description)
        let other = CredentialDigest(caller: Fixtures.caller("Bearer bob"), digest: FakeDigest())
        #expect(DecisionKey(credential: other, candidate: candidate) != fromFields)
        #expect(DecisionKey(credential: credential, candidate: Fixtures.candidate("m", port: 9000)) != fromFields)
        #expect(DecisionKey(credential: credential, candidate: Fixtures.candidate("m", namespace: "o")) != fromFields)
        #expect(
            DecisionKey(credential: credential, model: candidate.model.id, endpoint: "http://elsewhere/") != fromFields
        )
    }

    @Test func aOneModelResultReadsLikeADictionary() {
        let decision = Decision(
            outcome: .denied(status: 403),
            decidedAtWall: 5,
            expiresAt: MonotonicInstant(nanoseconds: 9)
        )
        var result = AccessCheckResult(
            model: Fixtures.id("a"),
            decision: decision,
            oldestDecisionWall: 5,
            stats: AccessCheckStats(cacheHits: 1)
        )
        #expect(result.decisions == [Fixtures.id("a"): decision])
        #expect(result.decision(for: Fixtures.id("a")) == decision)
        #expect(result.decision(for: Fixtures.id("b")) == nil)
        #expect(result.cacheHits == 1)
        result.decisions[Fixtures.id("b")] = decision
        #expect(result.decisions.count == 2)
        #expect(result.decision(for: Fixtures.id("b")) == decision)
        let table = AccessCheckResult(
            decisions: [Fixtures.id("c"): decision],
            oldestDecisionWall: nil,
            stats: AccessCheckStats()
        )
        #expect(table.decision(for: Fixtures.id("c")) == decision)
        #expect(table.decision(for: Fixtures.id("a")) == nil)
    }

    @Test func aCachedOneModelCheckCountsOneHitAndAnswersAtOnce() throws {
        let scheduler = ManualScheduler()
        let transport = FakeTransport(scheduler: scheduler)
        transport.script = [Fixtures.path("a"): [Fixtures.listing(["a"])]]
        let cache = DecisionCache()
        let checker = Fixtures.checker(transport, cache: cache)
        let first = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        scheduler.advance(by: .milliseconds(10))
        let decision = try #require(first.result?.decision(for: Fixtures.id("a")))
        #expect(decision.isGranted)
        let before = cache.statistics

        let cached = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")])
        #expect(cached.results.count == 1)
        let result = try #require(cached.result)
        #expect(result.decision(for: Fixtures.id("a")) == decision)
        #expect(result.decisions == [Fixtures.id("a"): decision])
        #expect(result.oldestDecisionWall == decision.decidedAtWall)
        #expect(result.stats == AccessCheckStats(cacheHits: 1))
        #expect(cache.statistics.hits == before.hits + 1)
        #expect(transport.sent.count == 1)

        // Another caller's digest finds nothing: a probe of its own.
        _ = Fixtures.run(checker, scheduler, [Fixtures.candidate("a")], caller: Fixtures.caller("Bearer bob"))
        #expect(cache.statistics.hits == before.hits + 1)
        #expect(transport.sent.count == 2)
    }

    @Test func probelessCandidatesNeedNoDigest() {
        let scheduler = ManualScheduler()
        let digest = CountingDigest()
        let checker = AccessChecker(
            cache: DecisionCache(),
            transport: FakeTransport(scheduler: scheduler),
            digest: digest,
            settings: Fixtures.settings(),
            random: { 0 }
        )
        let candidates = [
            Fixtures.candidate("ext", kind: "ExternalModel", probe: .none),
            Fixtures.candidate("ext-2", kind: "ExternalModel", probe: .none),
        ]
        let box = Fixtures.run(checker, scheduler, candidates)
        #expect(box.outcome("ext")?.name == "granted")
        #expect(box.result?.decisions.count == 2)
        #expect(digest.bufferCalls + digest.arrayCalls == 0)
    }
}
