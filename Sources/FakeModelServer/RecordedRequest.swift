import Foundation

/// A request as the fake backend saw it, for tests to assert on (`GET /_fake/requests`).
struct RecordedRequest {
    var method: String
    var uri: String
    var headers: [(String, String)]
    var body: [UInt8]
    var timeMs: Double

    var json: [String: Any] {
        [
            "method": method, "uri": uri, "headers": headers.map { [$0.0, $0.1] },
            "body": String(decoding: body, as: UTF8.self), "time_ms": timeMs,
        ]
    }
}

/// Counters reported by `GET /_fake/stats`.
struct FakeServerStats {
    var modelsRequests = 0
    var inFlightModels = 0
    var maxInFlightModels = 0
    var clientDisconnects = 0
    var streamsCompleted = 0

    var json: [String: Any] {
        [
            "models_requests": modelsRequests, "in_flight_models": inFlightModels,
            "max_in_flight_models": maxInFlightModels, "client_disconnects": clientDisconnects,
            "streams_completed": streamsCompleted,
        ]
    }
}
