/// Serialising a message head straight into an output buffer: no `String` is built for the
/// decimal and hexadecimal numbers or the fixed parts of a head.
extension ByteBuffer {
    func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    func append(string: String) {
        // A native string's bytes in place, without the copy `withUTF8` (mutating) needs.
        let appended: Void? = string.utf8.withContiguousStorageIfAvailable { append(UnsafeRawBufferPointer($0)) }
        if appended == nil {
            var text = string
            text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
        }
    }

    func appendDecimal(_ value: Int) {
        precondition(value >= 0, "only lengths and statuses are written")
        let room = reserveTail(20)
        var digits = 0
        var rest = value
        repeat {
            digits += 1
            rest /= 10
        } while rest > 0
        rest = value
        for index in stride(from: digits - 1, through: 0, by: -1) {
            room[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        commitTail(digits)
    }

    func appendHex(_ value: Int) {
        precondition(value >= 0, "only chunk sizes are written")
        let room = reserveTail(16)
        var digits = 0
        var rest = value
        repeat {
            digits += 1
            rest >>= 4
        } while rest > 0
        rest = value
        let hex: StaticString = "0123456789abcdef"
        for index in stride(from: digits - 1, through: 0, by: -1) {
            room[index] = hex.utf8Start[rest & 15]
            rest >>= 4
        }
        commitTail(digits)
    }

    /// One header field line.
    func appendField(_ name: String, _ value: String) {
        append(string: name)
        append(": ")
        append(string: value)
        append("\r\n")
    }
}
