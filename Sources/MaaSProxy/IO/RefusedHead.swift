/// What the access line may say of a head the codec refused before it parsed: only whether a
/// credential was sent (SPEC 6: never its value nor its length).
enum RefusedHead {
    /// `present` when some line of the head at the start of `bytes` is an `Authorization` field with a
    /// non-blank value. The head ends at its first empty line: what follows is a body, or the next
    /// request's head, whose credential is not this one's.
    static func authorizationPresence(in bytes: UnsafeRawBufferPointer) -> String {
        let name = "authorization".utf8.count
        var lineStart = 0
        var sawLine = false
        while lineStart + name < bytes.count {
            let first = bytes[lineStart]
            let empty = first == 0x0A || (first == 0x0D && bytes[lineStart + 1] == 0x0A)
            // Empty lines before the request line are skipped (RFC 9112 2.2), so only one after it ends the head.
            if empty && sawLine { return "absent" }
            if !empty { sawLine = true }
            // Letters fold, the colon does not (0x1A is not `:`).
            let matches =
                ASCIICase.equal(
                    UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineStart + name]),
                    lowercased: "authorization"
                )
                && bytes[lineStart + name] == UInt8(ascii: ":")
            var index = lineStart + (matches ? name + 1 : 0)
            while index < bytes.count && bytes[index] != 0x0A {
                let byte = bytes[index]
                if matches && byte != 0x20 && byte != 0x09 && byte != 0x0D { return "present" }
                index += 1
            }
            lineStart = index + 1
        }
        return "absent"
    }
}
