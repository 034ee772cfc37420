extension RequestBodyModel {
    /// Reads `body` as its `Content-Type` says (SPEC 5.1 step 2): `multipart/form-data` with
    /// `MultipartFormReader`, anything else (or none) as JSON, exactly as `read(_:)`.
    public static func read(_ body: [UInt8], contentType: String?) -> RequestBodyModel {
        body.withUnsafeBufferPointer { read($0, contentType: contentType) }
    }

    public static func read(_ body: UnsafeRawBufferPointer, contentType: String?) -> RequestBodyModel {
        body.withMemoryRebound(to: UInt8.self) { read($0, contentType: contentType) }
    }

    static func read(_ body: UnsafeBufferPointer<UInt8>, contentType: String?) -> RequestBodyModel {
        switch BodyMediaType(contentType: contentType) {
        case .other: read(body)
        case .formData(let boundary): MultipartFormReader.read(body, boundary: boundary)
        case .malformed(let fault): .malformed(fault)
        }
    }
}
