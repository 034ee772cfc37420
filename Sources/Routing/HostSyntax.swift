/// Host-name rules shared by endpoint parsing and self-address matching (SPEC 3.1).
///
/// Hosts are compared as text, so every spelling of one address must normalise to one string:
/// names are lower-cased, IPv4 must be a canonical dotted quad, IPv6 is rewritten in RFC 5952 form.
enum HostSyntax {
    /// A validated, normalised host from the authority of a URL (without brackets), or nil.
    ///
    /// Accepts DNS-style names (letters, digits, `-`, `_`, `.`; labels of at most 63 bytes, only
    /// a final empty label) and canonical dotted-quad IPv4. Percent-encoded names and the other
    /// RFC 3986 reg-name characters are refused; IPv6 literals go through `ipv6Groups`.
    static func normalizedName<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String? {
        guard !bytes.isEmpty, bytes.count <= 255 else { return nil }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): lowered.append(byte + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                lowered.append(byte)
            default: return nil
            }
        }
        let labels = lowered.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        // Only a final empty label (a fully qualified `name.`) is allowed.
        for (index, label) in labels.enumerated() where label.isEmpty {
            if index != labels.count - 1 || labels.count == 1 { return nil }
        }
        guard labels.allSatisfy({ $0.count <= 63 }) else { return nil }
        let text = String(decoding: lowered, as: UTF8.self)
        let lastLabel = labels.last!.isEmpty ? labels[labels.count - 2] : labels.last!
        // A numeric last label makes resolvers read the whole name as an IPv4 address, and
        // inet_aton accepts `0x7f.1`, `2130706433` or `0177.0.0.1` for 127.0.0.1. Only the
        // canonical dotted quad is accepted so that self-probe detection sees every loopback.
        if looksNumeric(lastLabel) {
            return ipv4Octets(text) != nil ? text : nil
        }
        return text
    }

    /// The four octets of a canonical dotted quad (`0`–`255`, no leading zeros), or nil.
    static func ipv4Octets<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(isDigit) else { return nil }
            if part.count > 1 && part.first == UInt8(ascii: "0") { return nil }
            let value = part.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard value <= 255 else { return nil }
            octets.append(UInt8(value))
        }
        return octets
    }

    /// The eight 16-bit groups of an IPv6 literal (RFC 4291 text forms, optionally ending in a
    /// dotted quad), or nil. Zone ids (`%eth0`) are refused.
    static func ipv6Groups<Text: StringProtocol>(_ text: Text) -> [UInt16]? {
        let string = String(text)
        guard !string.isEmpty, string.utf8.count <= 45 else { return nil }
        let halves = splitAtDoubleColons(string)
        switch halves.count {
        case 1:
            guard let groups = parseGroups(halves[0]), groups.count == 8 else { return nil }
            return groups
        case 2:
            // An embedded dotted quad is only allowed as the last 32 bits (RFC 4291 2.2).
            guard !halves[0].contains(Character(".")), let head = parseGroups(halves[0]),
                let tail = parseGroups(halves[1])
            else { return nil }
            guard head.count + tail.count <= 7 else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }

    /// RFC 5952 text for eight groups: lower-case hex, no leading zeros, the longest run of two or
    /// more zero groups (the first on a tie) written as `::`.
    static func ipv6Text(_ groups: [UInt16]) -> String {
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < groups.count && groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    /// Normalises a host given in configuration (`publicURL`, `listen`): brackets removed,
    /// lower-cased, IPv6 in RFC 5952 form. Hosts that do not validate are only lower-cased, so
    /// they still compare equal to themselves.
    static func normalizedConfiguredHost(_ host: String) -> String {
        var text = host
        if text.hasPrefix("[") && text.hasSuffix("]") && text.count >= 2 {
            text = String(text.dropFirst().dropLast())
        }
        if text.contains(Character(":")) {
            if let groups = ipv6Groups(text) { return ipv6Text(groups) }
            return text.lowercased()
        }
        return normalizedName(text.utf8) ?? text.lowercased()
    }

    /// True for names that always mean this machine: `localhost` (and `*.localhost`, RFC 6761),
    /// `127.0.0.0/8`, `0.0.0.0`, `::1`, `::` and their IPv4-mapped forms. Expects a normalised host.
    static func isLocal(_ host: String) -> Bool {
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        if let octets = ipv4Octets(name) { return isLocalIPv4(octets) }
        if let groups = ipv6Groups(name) {
            if groups[0..<7].allSatisfy({ $0 == 0 }) { return groups[7] <= 1 }
            // ::ffff:a.b.c.d reaches the IPv4 address a.b.c.d.
            if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xffff {
                let octets = [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].map { UInt8($0) }
                return isLocalIPv4(octets)
            }
        }
        return false
    }

    /// True for the wildcard addresses a listener binds to reach every local interface.
    static func isWildcard(_ host: String) -> Bool {
        host.isEmpty || host == "*" || host == "0.0.0.0" || host == "::"
    }

    private static func isLocalIPv4(_ octets: [UInt8]) -> Bool {
        octets[0] == 127 || octets.allSatisfy { $0 == 0 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    /// Decimal digits only, or `0x` followed by hex digits: what inet_aton reads as a number.
    private static func looksNumeric<Bytes: Collection<UInt8>>(_ label: Bytes) -> Bool {
        guard !label.isEmpty else { return false }
        if label.allSatisfy(isDigit) { return true }
        let bytes = Array(label)
        return bytes.count >= 2 && bytes[0] == UInt8(ascii: "0")
            && (bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X"))
            && bytes.dropFirst(2).allSatisfy(isHexDigit)
    }

    /// Colon-separated groups of one side of `::`; the last may be a dotted quad (two groups).
    private static func parseGroups(_ text: Substring) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, part.contains(Character(".")) {
                guard let octets = ipv4Octets(part) else { return nil }
                groups.append(UInt16(octets[0]) << 8 | UInt16(octets[1]))
                groups.append(UInt16(octets[2]) << 8 | UInt16(octets[3]))
                continue
            }
            guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy(isHexDigit),
                let value = UInt16(part, radix: 16)
            else { return nil }
            groups.append(value)
        }
        return groups
    }

    /// Splits at every `::`, so `a::b` gives `["a", "b"]` and `a::b::c` gives three parts.
    private static func splitAtDoubleColons(_ text: String) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":" && next < text.endIndex && text[next] == ":" {
                parts.append(text[start..<index])
                start = text.index(after: next)
                index = start
            } else {
                index = next
            }
        }
        parts.append(text[start...])
        return parts
    }
}
