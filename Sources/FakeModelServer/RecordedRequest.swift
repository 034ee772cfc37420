/// A request as the fake backend saw it, for tests to assert on (`GET /_fake/requests`).
struct RecordedRequest {
    var method: String
    var uri: String
    /// In received order, names as received.
    var headers: [(String, String)]
    var body: [UInt8]
    /// A `multipart/form-data` body as read: its `model`, fields and files.
    var form: FormData?
    /// Monotonic milliseconds (`MonotonicClock`).
    var timeMs: Double

    /// `{"method","uri","headers":[[name,value],...],"body","body_encoding","body_bytes","time_ms"}`, plus `"form"`
    /// (`FormData.json`) for a form body; the body is UTF-8 text when it is valid UTF-8, else base64
    /// (`body_encoding` says which).
    var json: String {
        let headerText = headers.map { "[\(JSONText.quote($0.0)),\(JSONText.quote($0.1))]" }.joined(separator: ",")
        let bodyText: String
        let encoding: String
        if let text = String(validating: body, as: UTF8.self) {
            bodyText = text
            encoding = "utf8"
        } else {
            bodyText = Base64.encode(body)
            encoding = "base64"
        }
        return #"{"method":\#(JSONText.quote(method)),"uri":\#(JSONText.quote(uri)),"headers":[\#(headerText)],"#
            + #""body":\#(JSONText.quote(bodyText)),"body_encoding":"\#(encoding)","body_bytes":\#(body.count),"#
            + (form.map { #""form":\#($0.json),"# } ?? "") + #""time_ms":\#(JSONText.milliseconds(timeMs))}"#
    }
}
