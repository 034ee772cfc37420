/// Why a `multipart/form-data` request body cannot be read (SPEC 5.1 step 2): the proxy answers
/// `400 bad_request` with the description in its message (SPEC 5.5).
///
/// The grammar is RFC 2046 section 5.1.1 with RFC 7578's rules for form data; every line end is
/// CRLF. A body that breaks it is refused rather than guessed at, so the proxy and the backend
/// cannot read different fields out of one body.
public enum MultipartFault: Hashable, Sendable, CustomStringConvertible {
    /// The Content-Type names `multipart/form-data` without a `boundary` parameter.
    case boundaryMissing
    /// The Content-Type has more than one `boundary` parameter.
    case boundaryRepeated
    /// The boundary is not 1–70 characters of RFC 2046's `bchars`, or ends with a space.
    case boundaryInvalid
    /// The Content-Type's parameters are not `; name=token` or `; name="quoted string"`.
    case contentTypeSyntax
    /// No line of the body is `--boundary`.
    case noOpeningDelimiter
    /// A `--boundary` line goes on with something else than optional spaces, tabs and CRLF (or `--`
    /// for the closing one): a bare LF, other characters, or the end of the body.
    case delimiterLine
    /// The body ends before its closing `--boundary--` line.
    case noClosingDelimiter
    /// The closing delimiter comes right after the opening one: RFC 2046 requires one part.
    case noParts
    /// A part's header block is longer than `MultipartFormReader.maxPartHeaderBytes`.
    case partHeadersTooLarge
    /// A part's header block reaches the next delimiter without its empty line.
    case partHeadersUnterminated
    /// A part's content begins with `--boundary`: RFC 2046 reads that as a part without content
    /// whose empty line's CRLF begins the delimiter, other parsers as content; refused either way.
    case boundaryAtContentStart
    /// A part's header line is not `name: value` ended by CRLF (a bare CR or LF, a control byte,
    /// an empty or invalid name, a folded line).
    case partHeaderSyntax
    /// A part has no `Content-Disposition` header (RFC 7578 section 4.2), or more than one.
    case contentDispositionMissing
    /// A part's `Content-Disposition` is not `form-data` with well-formed parameters and exactly one
    /// `name`.
    case contentDispositionInvalid
    /// The `model` part has a `Content-Transfer-Encoding` other than `7bit`, `8bit` or `binary`
    /// (RFC 7578 section 4.7 deprecates it; the value would need decoding).
    case modelTransferEncoding
    /// The `model` value is longer than `MultipartFormReader.maxModelBytes`.
    case modelTooLong
    /// The `model` value is not UTF-8, or holds a control character (CR and LF included).
    case modelNotText

    public var description: String {
        switch self {
        case .boundaryMissing: "the Content-Type has no boundary parameter"
        case .boundaryRepeated: "the Content-Type has more than one boundary parameter"
        case .boundaryInvalid: "the boundary is not 1 to 70 characters allowed by RFC 2046"
        case .contentTypeSyntax: "the Content-Type parameters are not well-formed"
        case .noOpeningDelimiter: "no line of the body is the opening boundary delimiter"
        case .delimiterLine: "a boundary delimiter line does not end with CRLF"
        case .noClosingDelimiter: "the body ends before the closing boundary delimiter"
        case .noParts: "the body has no parts"
        case .partHeadersTooLarge:
            "a part's headers are longer than \(MultipartFormReader.maxPartHeaderBytes) bytes"
        case .partHeadersUnterminated: "a part's headers do not end with an empty line"
        case .boundaryAtContentStart: "a part's content begins with the boundary"
        case .partHeaderSyntax: "a part has a malformed header line"
        case .contentDispositionMissing: "a part does not have exactly one Content-Disposition header"
        case .contentDispositionInvalid:
            "a part's Content-Disposition is not form-data with one name parameter"
        case .modelTransferEncoding: "the model field has a Content-Transfer-Encoding"
        case .modelTooLong: "the model field is longer than \(MultipartFormReader.maxModelBytes) bytes"
        case .modelNotText: "the model field is not UTF-8 text without control characters"
        }
    }
}
