/// Counters reported by `GET /_fake/stats`.
struct FakeServerStats {
    /// Every `GET <prefix>/v1/models` received.
    var modelsRequests = 0
    /// `/v1/models` requests waiting on their `delayMs` right now, and the most ever at once: tests prove with these
    /// that a proxy never has more than its probe concurrency in flight.
    var inFlightModels = 0
    var maxInFlightModels = 0
    /// Clients that went away before a delayed or streamed reply ended.
    var clientDisconnects = 0
    var streamsCompleted = 0
    /// Streams cut off on purpose (`abort_after_chunks`).
    var streamsAborted = 0
    /// Every request outside `/_fake/`.
    var requests = 0
    /// Requests answered by closing their connection (`dropRequests`); also counted in `requests`.
    var droppedRequests = 0

    mutating func modelsWaitStarted() {
        inFlightModels += 1
        maxInFlightModels = max(maxInFlightModels, inFlightModels)
    }

    mutating func modelsWaitEnded() { inFlightModels -= 1 }

    /// Zeroes the counters; requests in flight stay counted.
    mutating func reset() {
        self = FakeServerStats(inFlightModels: inFlightModels, maxInFlightModels: inFlightModels)
    }

    /// The counters, with `open_connections`: client connections open now that have sent a request.
    func json(openConnections: Int) -> String {
        #"{"models_requests":\#(modelsRequests),"max_in_flight_models":\#(maxInFlightModels),"#
            + #""in_flight_models":\#(inFlightModels),"client_disconnects":\#(clientDisconnects),"#
            + #""streams_completed":\#(streamsCompleted),"streams_aborted":\#(streamsAborted),"#
            + #""requests":\#(requests),"dropped_requests":\#(droppedRequests),"#
            + #""open_connections":\#(openConnections)}"#
    }
}
