extension EndpointURL {
    /// `self` with `suffix` appended to the path, joined without doubling `/` (SPEC 3.2); query kept.
    public func appendingPath(_ suffix: String) -> EndpointURL {
        var copy = self
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        let tail = suffix.hasPrefix("/") ? String(suffix.dropFirst()) : suffix
        copy.path = tail.isEmpty ? (base.isEmpty ? "/" : base) : base + "/" + tail
        return copy
    }

    public var isDefaultPort: Bool { (scheme == "http" && port == 80) || (scheme == "https" && port == 443) }

    /// Origin-form request target: the path (at least `/`) and the query.
    public var requestTarget: String {
        let base = path.isEmpty ? "/" : path
        guard let query else { return base }
        return base + "?" + query
    }

    public var description: String { "\(scheme)://\(hostHeader)\(requestTarget)" }
}
