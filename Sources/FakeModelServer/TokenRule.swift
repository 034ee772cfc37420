/// How a model answers one `Authorization` value.
struct TokenRule: Decodable, Sendable {
    /// 200 serves; 405 answers `/v1/models` with 405 but still serves inference; anything else is refused with
    /// that status everywhere.
    var status: Int
    /// Served ids for this token only (`[]` = an empty listing).
    var ids: [String]?
    /// A raw `/v1/models` body replacing the generated one.
    var body: String?
    /// Pads a 200 listing with this many extra bytes (oversized-body tests).
    var padBytes: Int?

    init(status: Int) { self.status = status }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(Int.self, forKey: .status) ?? 200
        ids = try container.decodeIfPresent([String].self, forKey: .ids)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        padBytes = try container.decodeIfPresent(Int.self, forKey: .padBytes)
    }

    private enum CodingKeys: String, CodingKey { case status, ids, body, padBytes }

    /// Whether inference endpoints serve this token.
    var admitsInference: Bool { (200..<300).contains(status) || status == 405 }
}
