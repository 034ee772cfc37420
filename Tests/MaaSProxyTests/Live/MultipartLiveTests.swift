import Foundation
import Testing

/// SPEC 5.1 step 2 for `multipart/form-data` bodies end to end: the OpenAI SDK's audio and image-edit calls are
/// routed by their `model` field, and reach the backend byte for byte.
@Suite(.serialized)
struct MultipartLiveTests {
    static let boundary = "2e5ca1d9ecf9cff6ecb5c8ca20a5721b"
    static let contentType = "multipart/form-data; boundary=\(boundary)"

    /// 1 MiB that a delimiter search must look at closely: pseudo-random bytes with CRLF, `--` and most of the
    /// delimiter scattered through them.
    static let audio: [UInt8] = {
        var state: UInt64 = 0x6175_6469_6F00
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        for index in bytes.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
        }
        let nearMiss = Array("\r\n--\(boundary.dropLast())!".utf8)
        for offset in stride(from: 1000, to: bytes.count - 100, by: 65_537) {
            bytes.replaceSubrange(offset..<(offset + nearMiss.count), with: nearMiss)
        }
        return bytes
    }()

    /// A body as httpx writes it for `client.audio.transcriptions.create(model:file:)`.
    static func form(
        fields: [(String, String)],
        file: [UInt8]?,
        fileFirst: Bool = false,
        closed: Bool = true
    )
        -> [UInt8]
    {
        var fieldParts: [UInt8] = []
        for (name, value) in fields {
            fieldParts += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8
        }
        var filePart: [UInt8] = []
        if let file {
            filePart += "--\(boundary)\r\n".utf8
            filePart += "Content-Disposition: form-data; name=\"file\"; filename=\"speech.wav\"\r\n".utf8
            filePart += "Content-Type: audio/wav\r\n\r\n".utf8
            filePart += file
            filePart += "\r\n".utf8
        }
        var body = fileFirst ? filePart + fieldParts : fieldParts + filePart
        if closed { body += "--\(boundary)--\r\n".utf8 }
        return body
    }

    static func post(
        _ fixture: ForwardingFixture,
        _ target: String,
        token: String,
        body: [UInt8],
        contentType: String = contentType
    ) throws -> RawResponse {
        try RawHTTPClient(port: fixture.proxy.port).request(
            "POST",
            target,
            headers: [("Authorization", token), ("Content-Type", contentType)],
            body: body
        )
    }

    /// The body the backend recorded, decoded.
    static func recordedBody(_ request: [String: Any]) -> [UInt8]? {
        guard let text = request["body"] as? String else { return nil }
        if request["body_encoding"] as? String == "base64" { return Data(base64Encoded: text).map { Array($0) } }
        return Array(text.utf8)
    }

    @Test func aTranscriptionIsRoutedByItsModelFieldAndArrivesUntouched() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        for fileFirst in [false, true] {
            try fixture.backend.clearRequests()
            let body = Self.form(
                fields: [("model", "alpha-1"), ("language", "en")],
                file: Self.audio,
                fileFirst: fileFirst
            )
            let response = try Self.post(fixture, "/v1/audio/transcriptions", token: "Bearer alice", body: body)
            #expect(response.status == 200, "\(response.bodyText)")
            let object = try #require(try response.json() as? [String: Any])
            #expect(object["text"] as? String == "Fake transcription by alpha-1 of 1048576 bytes of speech.wav.")

            let seen = try #require(try fixture.backendRequests(endingWith: "/v1/audio/transcriptions").first)
            #expect(seen["uri"] as? String == "/llm/alpha/v1/audio/transcriptions")
            #expect(recordedHeader(seen, "Content-Type") == Self.contentType)
            #expect(recordedHeader(seen, "Content-Length") == String(body.count))
            #expect(Self.recordedBody(seen) == body, "the body changed on its way")
            let form = try #require(seen["form"] as? [String: Any])
            #expect(form["model"] as? String == "alpha-1")
            let files = try #require(form["files"] as? [[String: Any]])
            #expect(files.first?["bytes"] as? Int == Self.audio.count)
        }
    }

    @Test func translationsAndImageEditsAreRoutedToTheModelTheCallerMayUse() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        // bob may use beta only, of the two models serving "shared".
        let translation = try Self.post(
            fixture,
            "/v1/audio/translations",
            token: "Bearer bob",
            body: Self.form(fields: [("model", "shared")], file: Array(Self.audio.prefix(4096)))
        )
        #expect(translation.status == 200, "\(translation.bodyText)")
        #expect(
            (try translation.json() as? [String: Any])?["text"] as? String
                == "Fake translation by shared of 4096 bytes of speech.wav."
        )
        let imageBody =
            Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nAdd a hat\r\n".utf8)
            + Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nalpha-1\r\n".utf8)
            + Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"image[]\"; ".utf8)
            + Array("filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n".utf8) + Array(Self.audio.prefix(512))
            + Array("\r\n--\(Self.boundary)--\r\n".utf8)
        let edit = try Self.post(fixture, "/v1/images/edits", token: "Bearer alice", body: imageBody)
        #expect(edit.status == 200, "\(edit.bodyText)")
        let data = try #require((try edit.json() as? [String: Any])?["data"] as? [[String: Any]])
        #expect(data.count == 1 && data[0]["b64_json"] is String)

        let uris = try fixture.backend.requests().compactMap { $0["uri"] as? String }.filter {
            !$0.hasSuffix("/models")
        }
        #expect(uris == ["/llm/beta/v1/audio/translations", "/llm/alpha/v1/images/edits"])
    }

    @Test func aMalformedFormIsBadRequest() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let cutOff = Self.form(fields: [("model", "alpha-1")], file: Self.audio, closed: false)
        let noBoundary = Self.form(fields: [("model", "alpha-1")], file: nil)
        let cases: [(body: [UInt8], contentType: String, message: String)] = [
            (cutOff, Self.contentType, "the body ends before the closing boundary delimiter"),
            (noBoundary, "multipart/form-data", "the Content-Type has no boundary parameter"),
            (
                Array(#"{"model":"alpha-1"}"#.utf8), Self.contentType,
                "no line of the body is the opening boundary delimiter"
            ),
        ]
        for (body, contentType, message) in cases {
            let response = try Self.post(
                fixture,
                "/v1/audio/transcriptions",
                token: "Bearer alice",
                body: body,
                contentType: contentType
            )
            #expect(response.status == 400)
            #expect(response.errorCode == "bad_request")
            #expect(response.header("Content-Type") == "application/json")
            let error = (try response.json() as? [String: Any])?["error"] as? [String: Any]
            #expect(error?["message"] as? String == "The multipart/form-data body is malformed: \(message).")
            #expect(error?["type"] as? String == "invalid_request_error")
        }
        #expect(try fixture.backendRequests(endingWith: "/v1/audio/transcriptions").isEmpty)
    }

    @Test func aFormWithoutModelIsMissingModel() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        let body = Self.form(fields: [("language", "en")], file: Self.audio)
        let response = try Self.post(fixture, "/v1/audio/transcriptions", token: "Bearer alice", body: body)
        #expect(response.status == 400)
        #expect(response.errorCode == "missing_model")
        #expect(try fixture.backendRequests(endingWith: "/v1/audio/transcriptions").isEmpty)
    }

    @Test func aDeniedCallerGetsModelNotFoundLikeAnUnknownModel() throws {
        let fixture = try ForwardingFixture.start()
        defer { fixture.cleanUp() }
        // bob is refused alpha by its backend; nobody serves "nope".
        let denied = try Self.post(
            fixture,
            "/v1/audio/transcriptions",
            token: "Bearer bob",
            body: Self.form(fields: [("model", "alpha-1")], file: Self.audio)
        )
        let unknown = try Self.post(
            fixture,
            "/v1/audio/transcriptions",
            token: "Bearer alice",
            body: Self.form(fields: [("model", "nope")], file: Self.audio)
        )
        for response in [denied, unknown] {
            #expect(response.status == 404)
            #expect(response.errorCode == "model_not_found")
        }
        #expect(denied.bodyText == unknown.bodyText)
        #expect(try fixture.backendRequests(endingWith: "/v1/audio/transcriptions").isEmpty)
    }
}
