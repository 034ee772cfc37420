import AccessCheck
import Testing

@Suite struct ProbeClassifierTests {
    static func http(_ status: Int, _ body: String = "") -> ProbeResponse {
        .http(status: status, body: Array(body.utf8))
    }

    static func served(_ ids: String...) -> ProbeClassification {
        .granted(served: ids.map { ServedModel(id: $0) }, via405: false)
    }

    @Test(arguments: [
        (
            http(200, #"{"data":[{"id":"a","created":5},{"id":""},{"id":"b"},{"noid":1},{"id":7},"x",null]}"#),
            ProbeClassification.granted(
                served: [ServedModel(id: "a", created: 5), ServedModel(id: "b")],
                via405: false
            )
        ),
        (http(200, #"{"object":"list","data":[{"id":"z"},{"id":"a"},{"id":"m"}]}"#), served("z", "a", "m")),
        (http(200, #"{"object":"list","data":[]}"#), .granted(served: [], via405: false)),
        (http(200, #"{"data":[{"id":""}]}"#), .granted(served: [], via405: false)),
        (http(203, #"{"data":[{"id":"x","created":-4}]}"#), served("x")),
        // vLLM's max_model_len is kept when it is a positive integer (SPEC 3.3).
        (
            http(
                200,
                #"{"data":[{"id":"a","max_model_len":4096},{"id":"b","max_model_len":"4096"},"#
                    + #"{"id":"c","max_model_len":0}]}"#
            ),
            .granted(
                served: [ServedModel(id: "a", maxModelLength: 4096), ServedModel(id: "b"), ServedModel(id: "c")],
                via405: false
            )
        ),
        (http(299, #" {"data":[{"id":"x"}]} "#), served("x")),
        (http(200, #"{"object":"list"}"#), .denied(status: 200)),
        (http(200, #"{"data":null}"#), .denied(status: 200)),
        (http(201, #"{}"#), .denied(status: 201)),
        (http(204), .retryable(reason: "status 204 with a body that is not a JSON object")),
        (http(405, "nope"), .granted(served: [], via405: true)),
        (http(405, #"{"data":[{"id":"ignored"}]}"#), .granted(served: [], via405: true)),
        (http(401), .denied(status: 401)),
        (http(403, #"{"error":"forbidden"}"#), .denied(status: 403)),
        (http(404, #"{"data":[{"id":"x"}]}"#), .denied(status: 404)),
        (http(100), .retryable(reason: "status 100")),
        (http(301), .retryable(reason: "status 301")),
        (http(304), .retryable(reason: "status 304")),
        (http(400), .denied(status: 400)),
        (http(402), .denied(status: 402)),
        (http(407), .denied(status: 407)),
        (http(410), .denied(status: 410)),
        (http(422, #"{"detail":"bad key"}"#), .denied(status: 422)),
        (http(451), .denied(status: 451)),
        (http(499), .denied(status: 499)),
        (http(408), .retryable(reason: "status 408")),
        (http(425), .retryable(reason: "status 425")),
        (http(429), .retryable(reason: "status 429")),
        (http(500), .retryable(reason: "status 500")),
        (http(503), .retryable(reason: "status 503")),
        (http(200, "not json"), .retryable(reason: "status 200 with a body that is not a JSON object")),
        (http(200, #"{"data":[}"#), .retryable(reason: "status 200 with a body that is not a JSON object")),
        (http(200, "[1,2]"), .retryable(reason: "status 200 with a body that is not a JSON object")),
        (http(200, "null"), .retryable(reason: "status 200 with a body that is not a JSON object")),
        (http(200, #""data""#), .retryable(reason: "status 200 with a body that is not a JSON object")),
        (http(200, #"{"data":"x"}"#), .retryable(reason: "status 200 with a non-array data")),
        (http(200, #"{"data":{"id":"x"}}"#), .retryable(reason: "status 200 with a non-array data")),
        (.bodyTooLarge(status: 200), .retryable(reason: "status 200 with a body over the limit")),
        (.failed(reason: "connection refused"), .retryable(reason: "connection refused")),
    ])
    func classification(response: ProbeResponse, expected: ProbeClassification) {
        #expect(ProbeClassifier.classify(response) == expected)
    }

    // `created` is kept only when it is a positive integral number.
    @Test(arguments: [
        ("1700000000", Int64(1_700_000_000)),
        ("1", 1),
        ("1.0", 1),
        ("0", 0),
        ("-5", 0),
        ("1.5", 0),
        ("true", 0),
        ("false", 0),
        (#""1700000000""#, 0),
        ("null", 0),
        ("1e20", 0),
        ("[1]", 0),
    ])
    func createdIsAPositiveInteger(json: String, expected: Int64) {
        let response = Self.http(200, #"{"data":[{"id":"m","created":\#(json)}]}"#)
        #expect(
            ProbeClassifier.classify(response)
                == .granted(served: [ServedModel(id: "m", created: expected)], via405: false)
        )
    }

    @Test func idsKeepTheirBytes() {
        let response = Self.http(200, #"{"data":[{"id":"org/Model-7B:\u00e9\n"}]}"#)
        #expect(ProbeClassifier.classify(response) == Self.served("org/Model-7B:é\n"))
    }
}

@Suite struct RetryPolicyTests {
    @Test(arguments: [
        (1, 0.0, 100.0), (2, 0.0, 200.0), (3, 0.0, 400.0),
        (1, 0.999_999, 110.0), (2, 0.5, 210.0), (3, 0.999_999, 440.0),
        // Out-of-range randomness is clamped to [0, 1].
        (1, -3.0, 100.0), (1, 7.0, 110.0), (1, Double.nan, 100.0),
    ])
    func delaysWithJitter(attempt: Int, random: Double, expectedMilliseconds: Double) throws {
        let delay = try #require(RetryPolicy.spec.delay(afterAttempt: attempt, random: random))
        #expect(abs(delay.milliseconds - expectedMilliseconds) < 0.01)
    }

    @Test(arguments: [0, 4, 5])
    func noAttemptBeyondTheFourth(after attempt: Int) {
        #expect(RetryPolicy.spec.delay(afterAttempt: attempt, random: 0) == nil)
        #expect(RetryPolicy.spec.maxAttempts == 4)
    }

    @Test func theLastDelayRepeatsAndNoDelaysMeansAtOnce() {
        let longer = RetryPolicy(maxAttempts: 6, baseDelays: [.milliseconds(10), .milliseconds(20)], jitterFraction: 0)
        #expect(
            (1...5).map { longer.delay(afterAttempt: $0, random: 0) } == [10, 20, 20, 20, 20].map { .milliseconds($0) }
        )
        let immediate = RetryPolicy(maxAttempts: 2, baseDelays: [], jitterFraction: 0.1)
        #expect(immediate.delay(afterAttempt: 1, random: 0.5) == .zero)
    }
}
