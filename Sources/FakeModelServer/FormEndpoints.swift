/// Answers `POST <prefix>/v1/audio/transcriptions`, `/v1/audio/translations` and `/v1/images/edits` once the token
/// is admitted: `multipart/form-data` bodies, as the OpenAI SDK sends them, answered in OpenAI's shapes.
enum FormEndpoints {
    static let paths: Set<String> = ["/v1/audio/transcriptions", "/v1/audio/translations", "/v1/images/edits"]

    static func answer(_ incoming: IncomingRequest, path: String) {
        guard let form = FormData(contentType: incoming.header("Content-Type"), body: incoming.body) else {
            return ReplyWriter.send(incoming.request, .error(400, "expected a multipart/form-data body"))
        }
        guard let model = form.model else {
            return ReplyWriter.send(incoming.request, .error(400, "the form has no model field"))
        }
        if path == "/v1/images/edits" {
            guard let image = form.files.first(where: { $0.name == "image" || $0.name == "image[]" }) else {
                return ReplyWriter.send(incoming.request, .error(400, "the form has no image file"))
            }
            let count = max(1, min(10, Int(form.fields.last { $0.name == "n" }?.value ?? "") ?? 1))
            // A 1×1 transparent PNG, once per image asked for.
            let picture = #"{"b64_json":"\#(Self.pixel)","revised_prompt":null}"#
            let data = Array(repeating: picture, count: count).joined(separator: ",")
            let body =
                #"{"created":\#(MonotonicClock.unixSeconds()),"data":[\#(data)],"#
                + #""model":\#(JSONText.quote(model)),"image_bytes":\#(image.bytes)}"#
            return ReplyWriter.send(incoming.request, .json(200, body))
        }
        guard let file = form.files.first(where: { $0.name == "file" }) else {
            return ReplyWriter.send(incoming.request, .error(400, "the form has no file"))
        }
        let verb = path == "/v1/audio/translations" ? "translation" : "transcription"
        let text = "Fake \(verb) by \(model) of \(file.bytes) bytes of \(file.filename)."
        if form.fields.last(where: { $0.name == "response_format" })?.value == "text" {
            return ReplyWriter.send(
                incoming.request,
                PreparedReply(status: 200, body: text + "\n", contentType: "text/plain; charset=utf-8")
            )
        }
        ReplyWriter.send(incoming.request, .json(200, #"{"text":\#(JSONText.quote(text))}"#))
    }

    private static let pixel =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
}
