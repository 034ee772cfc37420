import Testing

@testable import MaaSProxy

/// Which upstream failures mark a backend origin down (SPEC 3.2): every case of `UpstreamFailure`.
@Suite struct UpstreamFailureHealthTests {
    static let rows: [(UpstreamFailure, UpstreamFailure.HealthVerdict)] = [
        (.connectFailed("Connection refused"), .unreachable),
        (.connectFailed("cannot resolve backend.invalid: Name or service not known"), .unreachable),
        (.connectFailed("certificate verify failed"), .unreachable),
        (.closedBeforeResponse("Connection reset by peer", reused: false), .unreachable),
        (.closedBeforeResponse("EOF", reused: false), .unreachable),
        // The race with a backend closing an idle keep-alive connection says nothing about it.
        (.closedBeforeResponse("EOF", reused: true), .none),
        (.timedOut(.connectTimedOut), .unreachable),
        (.timedOut(.responseTimedOut), .unanswered),
        (.timedOut(.totalTimedOut), .unanswered),
        (.timedOut(.idleTimedOut), .unanswered),
        (.timedOut(.notYet), .unanswered),
        (.invalidResponse("closed inside the head"), .none),
        (.brokenBody("EOF"), .none),
    ]

    @Test(arguments: rows)
    func verdict(failure: UpstreamFailure, expected: UpstreamFailure.HealthVerdict) {
        #expect(failure.healthVerdict == expected)
    }
}
