/// What `RequestHeadParser.parse` found.
public enum RequestParse: Sendable {
    /// The head is not complete yet; call again with more bytes.
    case needMore
    /// A complete head; `consumed` counts the leading empty lines and the head through its final CRLF CRLF.
    case head(RequestHead, consumed: Int)
    /// The request must be answered with `refusal.status` and the connection closed.
    case refused(RequestRefusal)
}
