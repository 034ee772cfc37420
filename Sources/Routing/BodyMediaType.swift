/// What a request's `Content-Type` tells body routing (SPEC 5.1 step 2): a `multipart/form-data`
/// body and its boundary, or anything else (read as JSON, as before multipart was supported).
///
/// The media type is compared ignoring ASCII case (RFC 9110 section 8.3.1); parameters come in any
/// order, their names ignoring case, their values a token or a quoted string (RFC 9110 section
/// 5.6.6). The boundary is 1–70 characters of RFC 2046's `bchars`, not ending with a space; it is
/// compared with the body byte for byte.
public enum BodyMediaType: Hashable, Sendable {
    /// `multipart/form-data` with a valid boundary (its bytes, quotes and escapes removed).
    case formData(boundary: [UInt8])
    /// Absent, or any other media type (or one that is not `type/subtype`): the body is read as JSON.
    case other
    /// `multipart/form-data`, but its parameters do not give one valid boundary.
    case malformed(MultipartFault)

    public static let maxBoundaryLength = 70

    public init(contentType: String?) {
        guard var value = contentType else {
            self = .other
            return
        }
        self = value.withUTF8 { Self.parse($0) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> BodyMediaType {
        var index = 0
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        let typeStart = index
        while index < bytes.count, HeaderParameters.isTokenByte(bytes[index]) { index += 1 }
        let type = typeStart..<index
        guard index < bytes.count, bytes[index] == UInt8(ascii: "/") else { return .other }
        index += 1
        let subtypeStart = index
        while index < bytes.count, HeaderParameters.isTokenByte(bytes[index]) { index += 1 }
        let subtype = subtypeStart..<index
        guard HeaderParameters.equalsIgnoringCase(bytes, type, "multipart"),
            HeaderParameters.equalsIgnoringCase(bytes, subtype, "form-data")
        else { return .other }

        var parameters = HeaderParameters(bytes, index..<bytes.count)
        var boundary: [UInt8]? = nil
        while true {
            switch parameters.next() {
            case .end:
                guard let boundary else { return .malformed(.boundaryMissing) }
                return .formData(boundary: boundary)
            case .malformed:
                return .malformed(.contentTypeSyntax)
            case .parameter(let parameter):
                guard HeaderParameters.equalsIgnoringCase(bytes, parameter.name, "boundary") else { continue }
                guard boundary == nil else { return .malformed(.boundaryRepeated) }
                let value = Self.unquoted(bytes, parameter)
                guard Self.isValidBoundary(value) else { return .malformed(.boundaryInvalid) }
                boundary = value
            }
        }
    }

    /// A parameter's value with its quoted-pairs resolved.
    private static func unquoted(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ parameter: HeaderParameters.Parameter
    ) -> [UInt8] {
        guard parameter.escaped else { return Array(bytes[parameter.value]) }
        var value: [UInt8] = []
        var index = parameter.value.lowerBound
        while index < parameter.value.upperBound {
            if bytes[index] == UInt8(ascii: "\\") { index += 1 }
            value.append(bytes[index])
            index += 1
        }
        return value
    }

    /// RFC 2046 section 5.1.1: `0*69<bchars> bcharsnospace`.
    static func isValidBoundary(_ boundary: [UInt8]) -> Bool {
        guard (1...maxBoundaryLength).contains(boundary.count), boundary.last != 0x20 else { return false }
        return boundary.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "A")...UInt8(ascii: "Z"):
                true
            case UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "+"), UInt8(ascii: "_"),
                UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"),
                UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: " "):
                true
            default: false
            }
        }
    }
}
