extension String {
    /// ASCII case-insensitive comparison, as header names compare (RFC 9110 5.1).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var lhs = self
        var rhs = other
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in ASCIICase.equal(UnsafeRawBufferPointer(left), UnsafeRawBufferPointer(right)) }
        }
    }
}

/// ASCII case folding over raw bytes, for header names compared without building strings.
enum ASCIICase {
    /// True when `left` and `right` are equal ignoring the case of ASCII letters.
    static func equal(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        guard left.count == right.count else { return false }
        for index in 0..<left.count {
            let a = left[index]
            let b = right[index]
            if a == b { continue }
            let folded = a | 0x20
            guard folded == b | 0x20, folded >= UInt8(ascii: "a"), folded <= UInt8(ascii: "z") else { return false }
        }
        return true
    }

    /// True when `bytes` equals `lowercased` (which must be lowercase ASCII) ignoring ASCII case.
    static func equal(_ bytes: UnsafeRawBufferPointer, lowercased: StaticString) -> Bool {
        equal(bytes, UnsafeRawBufferPointer(start: lowercased.utf8Start, count: lowercased.utf8CodeUnitCount))
    }
}
