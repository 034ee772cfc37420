/// What the access line may say of a head the codec refused before it parsed: only whether a
/// credential was sent (SPEC 6: never its value nor its length).
enum RefusedHead {
    /// `present` when some line of `bytes` is an `Authorization` field with a non-blank value.
    static func authorizationPresence(in bytes: UnsafeRawBufferPointer) -> String {
        let name = "authorization".utf8.count
        var lineStart = 0
        while lineStart + name < bytes.count {
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
