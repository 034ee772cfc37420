/// The catalog split into candidates and excluded models (SPEC 3.1); both in snapshot order
/// (sorted by model id).
public struct CandidateSelection: Sendable {
    public var candidates: [Candidate]
    public var excluded: [Exclusion]

    public init(candidates: [Candidate] = [], excluded: [Exclusion] = []) {
        self.candidates = candidates
        self.excluded = excluded
    }
}
