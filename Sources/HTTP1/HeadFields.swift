/// Field look-ups shared by `RequestHead` and `ResponseHead`.
@usableFromInline
enum HeadFields {
    /// Index of the first field of `fields` whose name is `lowercasedName`, ignoring ASCII case.
    @inlinable
    static func first(_ bytes: [UInt8], _ fields: [HeaderField], _ lowercasedName: StaticString) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            for (index, field) in fields.enumerated() where ASCII.equalsLowercased(base, field.name, lowercasedName) {
                return index
            }
            return nil
        }
    }

    /// Calls `body` with each comma-separated element of `p[value]`, OWS-trimmed, skipping empty ones
    /// (RFC 9110 section 5.6.1: recipients ignore empty list elements).
    @inline(__always)
    static func forEachElement(_ p: UnsafePointer<UInt8>, _ value: Range<Int>, _ body: (Range<Int>) -> Void) {
        var i = value.lowerBound
        let end = value.upperBound
        while i < end {
            var j = i
            while j < end && p[j] != ASCII.comma { j &+= 1 }
            let element = ASCII.trimOWS(p, i..<j)
            if !element.isEmpty { body(element) }
            i = j &+ 1
        }
    }
}
