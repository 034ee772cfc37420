import AccessCheck
import Testing

@Suite struct ProbeClassifierTests {
    static func http(_ status: Int, _ body: String = "") -> ProbeResponse {
        .http(status: status, body: Array(body.utf8))
    }

    @Test(arguments: [
        (
            http(200, #"{"data":[{"id":"a","created":5},{"id":""},{"id":"b"},{"noid":1}]}"#),
            ProbeClassification.granted(
                served: [ServedModel(id: "a", created: 5), ServedModel(id: "b")],
                via405: false
            )
        ),
        (http(200, #"{"object":"list","data":[]}"#), .granted(served: [], via405: false)),
        (http(203, #"{"data":[{"id":"x","created":-4}]}"#), .granted(served: [ServedModel(id: "x")], via405: false)),
        (http(200, #"{"object":"list"}"#), .denied(status: 200)),
        (http(200, #"{"data":null}"#), .denied(status: 200)),
        (http(405, "nope"), .granted(served: [], via405: true)),
        (http(401), .denied(status: 401)),
        (http(403, #"{"error":"forbidden"}"#), .denied(status: 403)),
        (http(404), .denied(status: 404)),
        (http(429), .retryable(reason: "status 429")),
        (http(503), .retryable(reason: "status 503")),
        (http(500), .retryable(reason: "status 500")),
        (http(301), .retryable(reason: "status 301")),
        (http(400), .retryable(reason: "status 400")),
        (http(200, "not json"), .retryable(reason: "status 200 with a body that is not a JSON object")),
        (http(200, "[1,2]"), .retryable(reason: "status 200 with a body that is not a JSON object")),
        (http(200, #"{"data":"x"}"#), .retryable(reason: "status 200 with a non-array data")),
        (.bodyTooLarge(status: 200), .retryable(reason: "status 200 with a body over the limit")),
        (.failed(reason: "connection refused"), .retryable(reason: "connection refused")),
    ])
    func classification(response: ProbeResponse, expected: ProbeClassification) {
        #expect(ProbeClassifier.classify(response) == expected)
    }
}

@Suite struct RetryPolicyTests {
    @Test(arguments: [
        (1, 0.0, 100.0), (2, 0.0, 200.0), (3, 0.0, 400.0),
        (1, 0.999_999, 110.0), (2, 0.5, 210.0), (3, 0.999_999, 440.0),
    ])
    func delaysWithJitter(attempt: Int, random: Double, expectedMilliseconds: Double) throws {
        let delay = try #require(RetryPolicy.spec.delay(afterAttempt: attempt, random: random))
        #expect(abs(delay.milliseconds - expectedMilliseconds) < 0.01)
    }

    @Test func noFifthAttempt() {
        #expect(RetryPolicy.spec.delay(afterAttempt: 4, random: 0) == nil)
        #expect(RetryPolicy.spec.maxAttempts == 4)
    }
}
