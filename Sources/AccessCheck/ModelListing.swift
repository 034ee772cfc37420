import Routing

/// Builds the `GET /v1/models` answer from candidates and decisions (SPEC 3.3, 3.4).
public enum ModelListing {
    /// One entry per served id of each granted model (or one with `metadata.name` when the probe
    /// was a 405, `data` was `[]` or every id empty); kinds without a probe list `modelRef.name`.
    /// Sorted by id, then url, then owned_by.
    public static func entries(
        candidates: [Candidate],
        decisions: [ModelID: Decision],
        urls: ListingURL = .endpoint
    ) -> [ModelEntry] {
        var entries: [ModelEntry] = []
        for candidate in candidates {
            guard let decision = decisions[candidate.model.id], case .granted(let served, _) = decision.outcome
            else { continue }
            let model = candidate.model
            let details = ModelDetails(annotations: model.annotations)
            let fallbackCreated = model.creationTimestamp ?? 0
            let url = urls.url(of: candidate)
            for (id, created, maxModelLength) in listedIDs(candidate, served: served) {
                entries.append(
                    ModelEntry(
                        id: id,
                        created: created != 0 ? created : fallbackCreated,
                        ownedBy: model.namespace,
                        kind: model.listedKind,
                        url: url,
                        maxModelLength: maxModelLength,
                        ready: model.isReady,
                        details: details
                    )
                )
            }
        }
        return entries.sorted { ($0.id, $0.url, $0.ownedBy) < ($1.id, $1.url, $1.ownedBy) }
    }

    /// The ids a granted model is listed under (SPEC 3.3), which are also the ids a request body's
    /// `model` may name (SPEC 5.1 step 2).
    public static func ids(of candidate: Candidate, granted decision: Decision) -> [String] {
        guard case .granted(let served, _) = decision.outcome else { return [] }
        return listedIDs(candidate, served: served).map(\.id)
    }

    /// Whether `candidate`, granted by `decision`, is listed under `id`: `ids(of:granted:)` without
    /// building the list (this runs for every candidate of every body-routed call).
    public static func serves(_ id: String, candidate: Candidate, granted decision: Decision) -> Bool {
        guard case .granted(let served, _) = decision.outcome else { return false }
        if !candidate.hasProbe { return candidate.model.modelRef.name == id }
        if served.isEmpty { return candidate.id.name == id }
        return served.contains { $0.id == id }
    }

    private static func listedIDs(
        _ candidate: Candidate,
        served: [ServedModel]
    ) -> [(id: String, created: Int64, maxModelLength: Int64?)] {
        if candidate.probe == .none { return [(candidate.model.modelRef.name, 0, nil)] }
        if served.isEmpty { return [(candidate.model.name, 0, nil)] }
        return served.map { ($0.id, $0.created, $0.maxModelLength) }
    }

    /// `{"object":"list","data":[...]}`, keys in a stable order; `data` is always an array.
    public static func json(_ entries: [ModelEntry]) -> [UInt8] {
        var json = JSONWriter()
        json.object { list in
            list.field("object", "list")
            list.key("data")
            list.array { data in
                for entry in entries { write(entry, into: &data) }
            }
        }
        return json.bytes
    }

    /// One entry alone, as `GET /v1/models/{id}` answers it (SPEC 3.6).
    public static func json(_ entry: ModelEntry) -> [UInt8] {
        var json = JSONWriter()
        write(entry, into: &json)
        return json.bytes
    }

    private static func write(_ entry: ModelEntry, into json: inout JSONWriter) {
        json.object { object in
            object.field("id", entry.id)
            object.field("object", "model")
            object.key("created")
            object.number(entry.created)
            object.field("owned_by", entry.ownedBy)
            object.field("kind", entry.kind)
            object.field("url", entry.url)
            if let maxModelLength = entry.maxModelLength {
                object.key("max_model_len")
                object.number(maxModelLength)
            }
            object.key("ready")
            object.bool(entry.ready)
            if let details = entry.details {
                object.key("modelDetails")
                object.object { detail in
                    if let value = details.displayName { detail.field("displayName", value) }
                    if let value = details.description { detail.field("description", value) }
                    if let value = details.genaiUseCase { detail.field("genaiUseCase", value) }
                    if let value = details.contextWindow { detail.field("contextWindow", value) }
                    if let values = details.modelCapabilities {
                        detail.key("modelCapabilities")
                        detail.array { array in for value in values { array.string(value) } }
                    }
                }
            }
        }
    }

    /// RFC 3339 UTC with whole seconds, for `X-Access-Checked-At` (SPEC 3.5).
    public static func rfc3339(_ wallSeconds: Double) -> String {
        let seconds = Int64(wallSeconds.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))Z"
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
