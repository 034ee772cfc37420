/// What `ResponseHeadParser.parse` found.
public enum ResponseParse: Sendable {
    /// The head is not complete yet; call again with more bytes.
    case needMore
    /// A 1xx interim response (not 101) of `consumed` bytes: drop them and parse the next head.
    case interim(consumed: Int)
    /// A complete final response head of `consumed` bytes (leading empty lines included).
    case head(ResponseHead, consumed: Int)
    /// The backend's answer is malformed or unusable; the reason is for the log.
    case invalid(String)
}
