// libFuzzer harness for the body router's multipart/form-data reader (Sources/Routing: BodyMediaType,
// HeaderParameters, MultipartFormReader), built apart from the Fuzz package by scripts/fuzz-multipart.sh:
// those sources and this file in one module, -sanitize=fuzzer,address.
//
// The input's first line (up to the first LF, at most 200 bytes) is the Content-Type, the rest the body; an
// input without an LF gets a fixed Content-Type. libFuzzer hands over an exactly sized heap copy, so a read past
// the body is an AddressSanitizer report. Besides traps, the contract checked on every input:
// - the answer is never invalidJSON for a form Content-Type, and equals the JSON reader's for any other;
// - a model is at most maxModelBytes of UTF-8 without control bytes, and appears in the body right before a
//   `CRLF--boundary`, and the body holds a closing `CRLF--boundary--` or starts with `--boundary`;
// - reading the same bytes again gives the same answer.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    var contentType = "multipart/form-data; boundary=b0undary"
    var body = input
    if let newline = input.prefix(200).firstIndex(of: 0x0A) {
        contentType = String(decoding: input[..<newline], as: UTF8.self)
        body = UnsafeBufferPointer(rebasing: input[(newline + 1)...])
    }
    let raw = UnsafeRawBufferPointer(body)
    let answer = RequestBodyModel.read(raw, contentType: contentType)
    check(answer == RequestBodyModel.read(raw, contentType: contentType), "the same bytes read differently")
    switch BodyMediaType(contentType: contentType) {
    case .other:
        check(answer == RequestBodyModel.read(raw), "a non-form body not read as JSON")
    case .malformed(let fault):
        check(answer == .malformed(fault), "a malformed Content-Type did not refuse the body")
    case .formData(let boundary):
        check(answer != .invalidJSON, "a form read as JSON")
        guard case .model(let model) = answer else { return 0 }
        let value = Array(model.utf8)
        check(value.count <= MultipartFormReader.maxModelBytes, "model too long")
        check(value.allSatisfy { $0 >= 0x20 && $0 != 0x7F }, "control byte in model")
        let delimiter: [UInt8] = Array("\r\n--".utf8) + boundary
        let bytes = Array(body)
        check(contains(bytes, value + delimiter), "model value not followed by a delimiter")
        check(contains(bytes, delimiter + Array("--".utf8)), "model without a closing delimiter")
    }
    return 0
}

private func contains(_ bytes: [UInt8], _ pattern: [UInt8]) -> Bool {
    guard pattern.count <= bytes.count else { return false }
    for start in 0...(bytes.count - pattern.count) where bytes[start..<(start + pattern.count)].elementsEqual(pattern) {
        return true
    }
    return false
}

private func check(_ condition: Bool, _ rule: StaticString) {
    if !condition { fatalError("fuzz contract violated: \(rule)") }
}
