/// What one manifest source holds, before it becomes `MaaSModel` values: every string of every
/// model in one byte buffer, and one fixed-size record per model (SPEC 1; issue 13's catalog memory).
///
/// Why: a `MaaSModel` holds Swift strings, each a small heap allocation. Built while the YAML node
/// tree is alive, they land between its nodes, and once the tree is freed the allocator cannot
/// return a page that still holds one of them: 20 000 models kept ~100 MB of free heap resident.
/// Decoding into three flat arrays leaves nothing small behind; `expand()` then makes the models
/// after the tree is gone (the file source runs the decode on a scratch thread, so its tree and
/// the models never share an allocator arena).
///
/// Strings of one record, in order: namespace, name, modelRef kind, modelRef name, phase, endpoint,
/// [modelRef namespace], [resolvedModelAlias], then each kept annotation's key and value.
public struct CompactManifest: Sendable {
    struct Record: Sendable {
        /// Index in `ends` of the record's first string.
        var firstString: UInt32
        var annotationCount: UInt8
        var hasRefNamespace: Bool
        var hasAlias: Bool
        var resource: ModelResourceKind
        var creationTimestamp: Int64?
    }

    /// The fields of one model as the collector read them.
    struct Fields {
        var namespace: String
        var name: String
        var creationTimestamp: Int64?
        var refKind: String
        var refName: String
        var refNamespace: String?
        var phase: String
        var endpoint: String
        var alias: String?
        var annotations: [(key: String, value: String)]
        var resource: ModelResourceKind
    }

    private var bytes: [UInt8] = []
    /// End offset in `bytes` of every string; a string starts where the previous one ended.
    private var ends: [UInt32] = []
    private var records: [Record] = []
    /// One human-readable line per skipped object, each naming the source (see `DecodedManifest`).
    public internal(set) var warnings: [String] = []

    public init() {}

    /// Models held, in source order.
    public var count: Int { records.count }

    /// Appends a model; returns its position.
    mutating func append(_ fields: Fields) -> Int {
        let record = Record(
            firstString: UInt32(ends.count),
            annotationCount: UInt8(min(fields.annotations.count, Int(UInt8.max))),
            hasRefNamespace: fields.refNamespace != nil,
            hasAlias: fields.alias != nil,
            resource: fields.resource,
            creationTimestamp: fields.creationTimestamp
        )
        for text in [fields.namespace, fields.name, fields.refKind, fields.refName, fields.phase, fields.endpoint] {
            store(text)
        }
        if let refNamespace = fields.refNamespace { store(refNamespace) }
        if let alias = fields.alias { store(alias) }
        for annotation in fields.annotations.prefix(Int(record.annotationCount)) {
            store(annotation.key)
            store(annotation.value)
        }
        records.append(record)
        return records.count - 1
    }

    /// Moves the last appended model to `position`, replacing what was there (a duplicate's later copy).
    mutating func replace(at position: Int) {
        records[position] = records.removeLast()
    }

    /// Drops the last appended model (a duplicate that loses).
    mutating func dropLast() {
        records.removeLast()
    }

    func resource(at position: Int) -> ModelResourceKind { records[position].resource }

    /// The models, in source order, and the warnings. Values shared by many models (namespaces,
    /// kinds, phases, annotation keys) share one string storage.
    public func expand() -> DecodedManifest {
        var shared: [String: String] = [:]
        func interned(_ text: String) -> String {
            if let known = shared[text] { return known }
            shared[text] = text
            return text
        }
        var models: [MaaSModel] = []
        models.reserveCapacity(records.count)
        for record in records {
            var next = Int(record.firstString)
            func take() -> String {
                let start = next == 0 ? 0 : Int(ends[next - 1])
                let text = String(decoding: bytes[start..<Int(ends[next])], as: UTF8.self)
                next += 1
                return text
            }
            let namespace = interned(take())
            let name = take()
            let refKind = interned(take())
            let refName = take()
            let phase = interned(take())
            let endpoint = take()
            let refNamespace = record.hasRefNamespace ? interned(take()) : nil
            let alias = record.hasAlias ? take() : nil
            var annotations: [String: String] = [:]
            for _ in 0..<record.annotationCount {
                let key = interned(take())
                annotations[key] = take()
            }
            models.append(
                MaaSModel(
                    namespace: namespace,
                    name: name,
                    creationTimestamp: record.creationTimestamp,
                    annotations: annotations,
                    modelRef: ModelRef(kind: refKind, name: refName, namespace: refNamespace),
                    phase: phase,
                    endpoint: endpoint,
                    resolvedModelAlias: alias,
                    resource: record.resource
                )
            )
        }
        return DecodedManifest(models: models, warnings: warnings)
    }

    private mutating func store(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        ends.append(UInt32(bytes.count))
    }
}
