/// The last requests received (`GET /_fake/requests`): a ring of at most `capacity` entries whose bodies together
/// stay under `maxBodyBytes`, oldest dropped first.
struct RequestLog {
    static let capacity = 10_000
    // A test that pushes many large bodies would otherwise grow the process without bound.
    static let maxBodyBytes = 256 << 20

    private var slots: [RecordedRequest?] = Array(repeating: nil, count: RequestLog.capacity)
    private var head = 0
    private(set) var count = 0
    private var bodyBytes = 0

    mutating func append(_ request: RecordedRequest) {
        if count == Self.capacity { dropOldest() }
        while count > 0 && bodyBytes + request.body.count > Self.maxBodyBytes { dropOldest() }
        slots[(head + count) % Self.capacity] = request
        count += 1
        bodyBytes += request.body.count
    }

    mutating func removeAll() {
        while count > 0 { dropOldest() }
        head = 0
    }

    /// A JSON array, oldest first.
    var json: String {
        var text = "["
        for offset in 0..<count {
            if offset > 0 { text += "," }
            if let entry = slots[(head + offset) % Self.capacity] { text += entry.json }
        }
        return text + "]"
    }

    private mutating func dropOldest() {
        bodyBytes -= slots[head]?.body.count ?? 0
        slots[head] = nil
        head = (head + 1) % Self.capacity
        count -= 1
    }
}
