#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the `model` field of a `multipart/form-data` body (RFC 7578 over RFC 2046 section 5.1.1)
/// without decoding or copying any part (SPEC 5.1 step 2).
///
/// The body is walked from delimiter to delimiter: each part's header block is read (at most
/// `maxPartHeaderBytes`), and its content is skipped by searching for the next `CRLF--boundary`
/// (Boyer–Moore–Horspool, linear in the worst case), so a file part of megabytes costs a fraction
/// of an instruction a byte.
///
/// - The `model` field is a part whose `Content-Disposition` is `form-data` with `name` exactly
///   `model` (token or quoted, compared byte for byte: field names are case-sensitive) and without
///   a `filename` (a part with one is a file, whatever its name). Its value is the part's content,
///   trimmed of nothing: the CRLF before the next delimiter belongs to the delimiter (RFC 2046),
///   and RFC 7578 defines no other trimming. Its `Content-Type`, if any, is ignored; the value must
///   be UTF-8 without control characters and at most `maxModelBytes` long, else the body is
///   refused (`.malformed`) rather than routed by a value no model id can have.
/// - When several parts are the `model` field, the last one counts, as with JSON's members and as
///   Starlette's form parser (behind vLLM's and LiteLLM's audio endpoints) reads them; each must
///   still be valid.
/// - No `model` field: `.missingModel`. A body that breaks the grammar: `.malformed` with the rule
///   it broke. Every line end is CRLF; a body with bare LF line ends is refused (RFC 2046 requires
///   CRLF, and every SDK and browser sends it).
public enum MultipartFormReader {
    /// The longest header block of one part, its empty line included: clients send one or two short
    /// headers; without a bound, a part missing its empty line would be read to the end of the body.
    public static let maxPartHeaderBytes = 8192
    /// The longest `model` value: model ids are short (a Hugging Face id is at most 96 characters).
    public static let maxModelBytes = 256

    /// - Parameter boundary: a valid boundary (`BodyMediaType.formData`).
    public static func read(_ body: UnsafeBufferPointer<UInt8>, boundary: [UInt8]) -> RequestBodyModel {
        let delimiter: [UInt8] = [0x0D, 0x0A, UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        return delimiter.withUnsafeBufferPointer { delimiter in
            // Horspool's table (at most 74, the longest delimiter), on the stack.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { shifts in
                shifts.initialize(repeating: UInt8(delimiter.count))
                for index in 0..<(delimiter.count - 1) {
                    shifts[Int(delimiter[index])] = UInt8(delimiter.count - 1 - index)
                }
                return FormScanner(bytes: body, delimiter: delimiter, shifts: UnsafeBufferPointer(shifts)).scan()
            }
        }
    }
}

private struct FormScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// `CRLF--boundary`.
    let delimiter: UnsafeBufferPointer<UInt8>
    /// Per byte value, how far `find` moves its window when that byte ends it.
    let shifts: UnsafeBufferPointer<UInt8>

    /// Why the walk stopped short of an answer.
    private struct Stop: Error {
        var fault: MultipartFault
        init(_ fault: MultipartFault) { self.fault = fault }
    }

    /// What a part's header block says.
    private struct PartHeaders {
        /// The first byte after the empty line.
        var contentStart: Int
        var isModel: Bool
    }

    func scan() -> RequestBodyModel {
        do {
            return try walk()
        } catch {
            return .malformed(error.fault)
        }
    }

    private func walk() throws(Stop) -> RequestBodyModel {
        // `dash-boundary` starts the body, or ends a preamble on a line of its own.
        let dashBoundary = UnsafeBufferPointer(rebasing: delimiter[2...])
        var position: Int
        if starts(with: dashBoundary, at: 0) {
            position = dashBoundary.count
        } else {
            guard let found = find(from: 0) else { throw Stop(.noOpeningDelimiter) }
            position = found + delimiter.count
        }
        var model: Range<Int>? = nil
        var parts = 0
        while true {
            // Right after `--boundary`: `--` closes, else transport padding and CRLF open a part.
            if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "-"),
                bytes[position + 1] == UInt8(ascii: "-")
            {
                guard parts > 0 else { throw Stop(.noParts) }
                position += 2
                skipPadding(&position)
                // The epilogue, after a CRLF, is ignored.
                guard position == bytes.count || startsWithCRLF(at: position) else { throw Stop(.delimiterLine) }
                break
            }
            // Cut off within what could still have become the closing delimiter or a CRLF.
            if position + 1 == bytes.count, bytes[position] == UInt8(ascii: "-") { throw Stop(.noClosingDelimiter) }
            skipPadding(&position)
            if position == bytes.count || (position + 1 == bytes.count && bytes[position] == 0x0D) {
                throw Stop(.noClosingDelimiter)
            }
            guard startsWithCRLF(at: position) else { throw Stop(.delimiterLine) }
            let headers = try readHeaders(from: position + 2)
            parts += 1
            // RFC 2046 lets the empty line's CRLF begin the next delimiter (a part without content),
            // as Go reads it; python-multipart (behind Starlette) reads `--boundary…` as content.
            if starts(with: dashBoundary, at: headers.contentStart) { throw Stop(.boundaryAtContentStart) }
            guard let end = find(from: headers.contentStart) else { throw Stop(.noClosingDelimiter) }
            if headers.isModel {
                let value = headers.contentStart..<end
                try validateModel(value)
                model = value
            }
            position = end + delimiter.count
        }
        guard let model else { return .missingModel }
        return .model(String(decoding: UnsafeBufferPointer(rebasing: bytes[model]), as: UTF8.self))
    }

    // MARK: Part headers

    /// Reads the header lines from `start` through their empty line.
    private func readHeaders(from start: Int) throws(Stop) -> PartHeaders {
        let limit = min(bytes.count, start + MultipartFormReader.maxPartHeaderBytes)
        // Running out of room means a block too large, or a body cut off.
        let outOfRoom = Stop(limit == bytes.count ? .noClosingDelimiter : .partHeadersTooLarge)
        let dashBoundary = UnsafeBufferPointer(rebasing: delimiter[2...])
        var index = start
        var dispositions = 0
        var isModelName = false
        var identityEncoding = true
        while true {
            guard index < limit else { throw outOfRoom }
            if bytes[index] == 0x0D {
                guard index + 1 < limit else { throw outOfRoom }
                guard bytes[index + 1] == 0x0A else { throw Stop(.partHeaderSyntax) }
                guard dispositions == 1 else { throw Stop(.contentDispositionMissing) }
                if isModelName && !identityEncoding { throw Stop(.modelTransferEncoding) }
                return PartHeaders(contentStart: index + 2, isModel: isModelName)
            }
            if starts(with: dashBoundary, at: index) { throw Stop(.partHeadersUnterminated) }
            let nameStart = index
            while index < limit, HeaderParameters.isTokenByte(bytes[index]) { index += 1 }
            let name = nameStart..<index
            guard index < limit else { throw outOfRoom }
            guard !name.isEmpty, bytes[index] == UInt8(ascii: ":") else { throw Stop(.partHeaderSyntax) }
            index += 1
            while index < limit, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            let valueStart = index
            var valueEnd = index
            while true {
                guard index < limit else { throw outOfRoom }
                let byte = bytes[index]
                if byte == 0x0D { break }
                guard byte == 0x09 || (byte >= 0x20 && byte != 0x7F) else { throw Stop(.partHeaderSyntax) }
                index += 1
                if byte != 0x20 && byte != 0x09 { valueEnd = index }
            }
            guard index + 1 < limit else { throw outOfRoom }
            guard bytes[index + 1] == 0x0A else { throw Stop(.partHeaderSyntax) }
            index += 2
            let value = valueStart..<valueEnd
            if HeaderParameters.equalsIgnoringCase(bytes, name, "content-disposition") {
                dispositions += 1
                guard dispositions == 1 else { throw Stop(.contentDispositionMissing) }
                isModelName = try isModelField(value)
            } else if HeaderParameters.equalsIgnoringCase(bytes, name, "content-transfer-encoding") {
                identityEncoding =
                    identityEncoding
                    && (HeaderParameters.equalsIgnoringCase(bytes, value, "7bit")
                        || HeaderParameters.equalsIgnoringCase(bytes, value, "8bit")
                        || HeaderParameters.equalsIgnoringCase(bytes, value, "binary"))
            }
        }
    }

    /// Whether a `Content-Disposition` value names the `model` field: `form-data` (ignoring case),
    /// exactly one `name` parameter, equal to `model`, and no `filename` or `filename*`.
    private func isModelField(_ value: Range<Int>) throws(Stop) -> Bool {
        var index = value.lowerBound
        while index < value.upperBound, HeaderParameters.isTokenByte(bytes[index]) { index += 1 }
        guard HeaderParameters.equalsIgnoringCase(bytes, value.lowerBound..<index, "form-data") else {
            throw Stop(.contentDispositionInvalid)
        }
        var parameters = HeaderParameters(bytes, index..<value.upperBound)
        var named: Bool? = nil
        var hasFilename = false
        while true {
            switch parameters.next() {
            case .malformed:
                throw Stop(.contentDispositionInvalid)
            case .end:
                guard let named else { throw Stop(.contentDispositionInvalid) }
                return named && !hasFilename
            case .parameter(let parameter):
                if HeaderParameters.equalsIgnoringCase(bytes, parameter.name, "name") {
                    guard named == nil else { throw Stop(.contentDispositionInvalid) }
                    // Raw bytes: an escape never spells `model` (Starlette does not resolve them either).
                    named = HeaderParameters.equals(bytes, parameter.value, "model")
                } else if HeaderParameters.equalsIgnoringCase(bytes, parameter.name, "filename")
                    || HeaderParameters.equalsIgnoringCase(bytes, parameter.name, "filename*")
                {
                    hasFilename = true
                }
            }
        }
    }

    private func validateModel(_ value: Range<Int>) throws(Stop) {
        guard value.count <= MultipartFormReader.maxModelBytes else { throw Stop(.modelTooLong) }
        let text = UnsafeBufferPointer(rebasing: bytes[value])
        guard text.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }), String(validating: text, as: UTF8.self) != nil else {
            throw Stop(.modelNotText)
        }
    }

    // MARK: Delimiters

    /// The offset of the first `CRLF--boundary` at or after `start`, or nil.
    ///
    /// Boyer–Moore–Horspool: each step looks at the last byte of the window and shifts by how far
    /// that byte's last occurrence (before the end) is from the end of the delimiter, the whole
    /// delimiter when it has none, so most bytes of a file are never looked at. Linear in the worst
    /// case too: a window is compared only from a CR, and the delimiter holds a CR only at its start
    /// (no `bchar` is CR), so the comparisons that go deep never overlap.
    private func find(from start: Int) -> Int? {
        guard let base = bytes.baseAddress, let pattern = delimiter.baseAddress else { return nil }
        let length = delimiter.count
        let last = pattern[length &- 1]
        guard let table = shifts.baseAddress, bytes.count >= length else { return nil }
        // Wrapping arithmetic: windows stay within the body (`window <= end`), shifts are 1...74.
        let end = bytes.count &- length
        let tail = base + (length &- 1)
        var window = start
        while window <= end {
            let byte = tail[window]
            if byte == last, base[window] == 0x0D, base[window &+ 1] == 0x0A,
                memcmp(base + (window &+ 2), pattern + 2, length &- 2) == 0
            {
                return window
            }
            window &+= Int(table[Int(byte)])
        }
        return nil
    }

    private func starts(with prefix: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        guard bytes.count - position >= prefix.count, let base = bytes.baseAddress, let other = prefix.baseAddress
        else { return false }
        return memcmp(base + position, other, prefix.count) == 0
    }

    private func startsWithCRLF(at position: Int) -> Bool {
        position + 1 < bytes.count && bytes[position] == 0x0D && bytes[position + 1] == 0x0A
    }

    /// RFC 2046 `transport-padding`: spaces and tabs after a delimiter.
    private func skipPadding(_ position: inout Int) {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
    }
}
