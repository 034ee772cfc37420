extension EndpointURL {
    /// `self` with `suffix` appended to the path, joined without doubling `/` (SPEC 3.2); query kept.
    public func appendingPath(_ suffix: String) -> EndpointURL {
        appendingPath(suffix[...])
    }

    /// `appendingPath(_:)` for a slice of the request target, without copying it first.
    public func appendingPath(_ suffix: Substring) -> EndpointURL {
        var copy = self
        copy.path = Self.join(path, suffix)
        return copy
    }

    /// The path with one trailing `/` dropped, `/`, and the suffix with one leading `/` dropped;
    /// `/` alone for two empty sides.
    private static func join(_ path: String, _ suffix: Substring) -> String {
        var path = path
        var suffix = suffix
        var unchanged = false
        let joined = path.withUTF8 { base in
            suffix.withUTF8 { tail -> String? in
                // Byte for byte, where that reads as the Characters do: a `/` next to an ASCII byte
                // (or nothing) is a Character of its own. Anything else takes the Character path.
                var baseCount = base.count
                if baseCount > 0, base[baseCount - 1] == UInt8(ascii: "/") {
                    guard baseCount == 1 || base[baseCount - 2] < 0x80 else { return nil }
                    baseCount -= 1
                }
                var tailStart = 0
                if tail.count > 0, tail[0] == UInt8(ascii: "/") {
                    guard tail.count == 1 || tail[1] < 0x80 else { return nil }
                    tailStart = 1
                }
                let tailCount = tail.count - tailStart
                if tailCount == 0 {
                    if baseCount == 0 { return "/" }
                    if baseCount == base.count {
                        unchanged = true
                        return nil
                    }
                }
                let count = tailCount == 0 ? baseCount : baseCount + 1 + tailCount
                return String(unsafeUninitializedCapacity: count) { output in
                    let raw = UnsafeMutableRawBufferPointer(output)
                    raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(base)[..<baseCount]))
                    guard tailCount > 0 else { return count }
                    raw[baseCount] = UInt8(ascii: "/")
                    UnsafeMutableRawBufferPointer(rebasing: raw[(baseCount + 1)...]).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(tail)[tailStart...])
                    )
                    return count
                }
            }
        }
        if let joined { return joined }
        if unchanged { return path }
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        let tail = suffix.hasPrefix("/") ? String(suffix.dropFirst()) : String(suffix)
        return tail.isEmpty ? (base.isEmpty ? "/" : base) : base + "/" + tail
    }

    public var isDefaultPort: Bool { (scheme == "http" && port == 80) || (scheme == "https" && port == 443) }

    /// Origin-form request target: the path (at least `/`) and the query.
    public var requestTarget: String { Self.requestTarget(path: path, query: query) }

    /// The origin-form target of `appendingPath(suffix)` with its query replaced by `query`: a
    /// forwarded call's target, without an `EndpointURL` made per call (issue 10).
    public func requestTarget(appendingPath suffix: String, query: String?) -> String {
        Self.requestTarget(path: Self.join(path, suffix[...]), query: query)
    }

    /// The origin-form target of `path` (at least `/`) and `query`.
    public static func requestTarget(path: String, query: String?) -> String {
        let base = path.isEmpty ? "/" : path
        guard let query else { return base }
        return base + "?" + query
    }

    public var description: String { "\(scheme)://\(hostHeader)\(requestTarget)" }
}
