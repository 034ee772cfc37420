extension EndpointURL {
    /// Parses an absolute `http`/`https` URL such as `status.endpoint` (SPEC 3.1).
    ///
    /// A small RFC 3986 parser of our own, so the result does not depend on Foundation's URL
    /// quirks across platforms. Returns nil unless all of these hold:
    /// - only printable ASCII: whitespace, control characters and raw non-ASCII are refused, since
    ///   the parts are sent verbatim in request lines and `Host` headers;
    /// - the scheme is `http` or `https` (any case; stored lower-case), followed by `://`;
    /// - no userinfo (`user:pw@host`): credentials never come from the catalog;
    /// - the host is a DNS-style name (letters, digits, `-`, `_`, `.`; lower-cased), a canonical
    ///   dotted-quad IPv4 address, or a bracketed IPv6 literal (stored without brackets, in
    ///   RFC 5952 form). Names ending in a numeric label must be a dotted quad: resolvers would
    ///   otherwise read `0x7f.1` or `2130706433` as an address and defeat self-probe detection;
    /// - the port, when present after `:`, is 1–65535 in at most five digits (default 80/443);
    ///   an empty port (`host:`) is refused;
    /// - path, query and fragment contain only RFC 3986 characters, with `%` followed by two hex
    ///   digits.
    ///
    /// The path is kept as written (empty or starting with `/`, percent-encoding untouched), the
    /// query is kept without its `?` (nil when there is no `?`, empty for a bare `?`), and the
    /// fragment is dropped.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }

        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        guard bytes[(colon + 1)...].starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) else { return nil }

        let authorityStart = colon + 3
        let authorityEnd =
            bytes[authorityStart...].firstIndex {
                $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
            } ?? bytes.endIndex
        guard let (host, explicitPort) = Self.parseAuthority(bytes[authorityStart..<authorityEnd]) else {
            return nil
        }

        var rest = bytes[authorityEnd...]
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) {
            guard Self.isValid(rest[(hash + 1)...], allowingQueryCharacters: true) else { return nil }
            rest = rest[..<hash]
        }
        var query: String?
        if let mark = rest.firstIndex(of: UInt8(ascii: "?")) {
            let queryBytes = rest[(mark + 1)...]
            guard Self.isValid(queryBytes, allowingQueryCharacters: true) else { return nil }
            query = String(decoding: queryBytes, as: UTF8.self)
            rest = rest[..<mark]
        }
        guard Self.isValid(rest, allowingQueryCharacters: false) else { return nil }

        self.init(
            scheme: scheme,
            host: host,
            port: explicitPort ?? (scheme == "https" ? 443 : 80),
            path: String(decoding: rest, as: UTF8.self),
            query: query
        )
    }

    /// `host[:port]` or `[ipv6][:port]`; nil on userinfo, an empty or invalid host, or a bad port.
    private static func parseAuthority(_ authority: ArraySlice<UInt8>) -> (host: String, port: Int?)? {
        guard !authority.isEmpty, !authority.contains(UInt8(ascii: "@")) else { return nil }
        let host: String
        let portBytes: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            let literal = String(decoding: authority[(authority.startIndex + 1)..<close], as: UTF8.self)
            guard let groups = HostSyntax.ipv6Groups(literal) else { return nil }
            host = HostSyntax.ipv6Text(groups)
            let after = authority[(close + 1)...]
            if after.isEmpty {
                portBytes = nil
            } else {
                guard after.first == UInt8(ascii: ":") else { return nil }
                portBytes = after.dropFirst()
            }
        } else {
            let colon = authority.firstIndex(of: UInt8(ascii: ":"))
            guard let name = HostSyntax.normalizedName(authority[..<(colon ?? authority.endIndex)]) else {
                return nil
            }
            host = name
            portBytes = colon.map { authority[($0 + 1)...] }
        }
        guard let portBytes else { return (host, nil) }
        guard let port = parsePort(portBytes) else { return nil }
        return (host, port)
    }

    /// 1–5 decimal digits with a value in 1...65535.
    private static func parsePort(_ digits: ArraySlice<UInt8>) -> Int? {
        guard (1...5).contains(digits.count) else { return nil }
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return (1...65535).contains(value) ? value : nil
    }

    /// RFC 3986 `*( pchar / "/" )`, plus `?` for queries and fragments.
    private static func isValid(_ bytes: ArraySlice<UInt8>, allowingQueryCharacters: Bool) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else {
                    return false
                }
                index += 3
                continue
            }
            if !isPathCharacter(byte) && !(allowingQueryCharacters && byte == UInt8(ascii: "?")) { return false }
            index += 1
        }
        return true
    }

    /// unreserved / sub-delims / `:` / `@` / `/` (RFC 3986 3.3).
    private static func isPathCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~!$&'()*+,;=:@/".utf8.contains(byte)
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            return true
        default:
            return false
        }
    }
}
