/// A whole (non-streamed) reply: status, body and headers, ready to send now or after a delay.
struct PreparedReply {
    var status: Int
    var body: String
    var contentType = "application/json"
    var headers: [(String, String)] = []

    static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> PreparedReply {
        PreparedReply(status: status, body: body, headers: headers)
    }

    /// An OpenAI-style error: `{"error":{"message","type","param":null,"code":<status>}}`.
    static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> PreparedReply {
        let type =
            switch status {
            case 401: "authentication_error"
            case 403: "permission_error"
            case 404: "not_found_error"
            case 405: "method_not_allowed"
            case 429: "rate_limit_error"
            case 500...: "server_error"
            default: "invalid_request_error"
            }
        let body =
            #"{"error":{"message":\#(JSONText.quote(message)),"type":"\#(type)","param":null,"code":\#(status)}}"#
        return PreparedReply(status: status, body: body, headers: headers)
    }

    /// What a model answers a token its rule refuses (any status but 2xx; 405 carries `Allow: POST`).
    static func refusal(_ status: Int) -> PreparedReply {
        switch status {
        case 401: error(401, "Unauthorized: invalid or missing token")
        case 403: error(403, "Forbidden: this token may not use this model")
        case 404: error(404, "The model does not exist")
        case 405: error(405, "Method Not Allowed", headers: [("Allow", "POST")])
        case 429: error(429, "Too many requests")
        default: error(status, "Refused by the fake backend with \(status)")
        }
    }
}
