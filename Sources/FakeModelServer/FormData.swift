/// A `multipart/form-data` body as this fake backend reads it (RFC 7578): the text fields and the files' sizes.
///
/// A test double's reader, independent of the proxy's `Routing.MultipartFormReader` so that a mistake there
/// cannot hide itself: it splits on `CRLF--boundary`, reads each part's `Content-Disposition` and `Content-Type`,
/// and keeps fields as text and files as their byte counts. Not a validator; nil when the body is not a form.
struct FormData {
    struct File {
        var name: String
        var filename: String
        var contentType: String?
        var bytes: Int
    }

    /// In body order, names and values as sent.
    private(set) var fields: [(name: String, value: String)] = []
    private(set) var files: [File] = []

    /// The last `model` field, as Starlette (vLLM's server) reads a repeated field.
    var model: String? { fields.last { $0.name == "model" }?.value }

    /// nil unless `contentType` is `multipart/form-data` with a boundary and `body` holds its delimiters.
    init?(contentType: String?, body: [UInt8]) {
        guard let contentType, let boundary = Self.boundary(of: contentType) else { return nil }
        let dashBoundary = Array("--".utf8) + boundary
        let delimiter = Array("\r\n".utf8) + dashBoundary
        // The first delimiter may start the body, without the CRLF.
        guard
            var position = body.starts(with: dashBoundary)
                ? dashBoundary.count : Self.find(delimiter, in: body, from: 0).map({ $0 + delimiter.count })
        else { return nil }
        while position + 2 <= body.count, body[position] != UInt8(ascii: "-") || body[position + 1] != UInt8(ascii: "-")
        {
            guard let headersEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: position) else { return nil }
            let head = String(decoding: body[position..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let end = Self.find(delimiter, in: body, from: contentStart - 2) else { return nil }
            let content = body[min(contentStart, end)..<end]
            var disposition: [String: String] = [:]
            var partType: String?
            for line in head.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingSpaces.lowercased()
                let value = String(line[line.index(after: colon)...].trimmingSpaces)
                if name == "content-disposition" { disposition = Self.parameters(value) }
                if name == "content-type" { partType = value }
            }
            if let name = disposition["name"] {
                if let filename = disposition["filename"] {
                    files.append(File(name: name, filename: filename, contentType: partType, bytes: content.count))
                } else {
                    fields.append((name, String(decoding: content, as: UTF8.self)))
                }
            }
            position = end + delimiter.count
        }
    }

    /// `{"model":…,"fields":[[name,value],…],"files":[{"name","filename","content_type","bytes"},…]}`.
    var json: String {
        let fieldText = fields.map { "[\(JSONText.quote($0.name)),\(JSONText.quote($0.value))]" }.joined(separator: ",")
        let fileText = files.map { file in
            #"{"name":\#(JSONText.quote(file.name)),"filename":\#(JSONText.quote(file.filename)),"#
                + #""content_type":\#(file.contentType.map(JSONText.quote) ?? "null"),"bytes":\#(file.bytes)}"#
        }.joined(separator: ",")
        return #"{"model":\#(model.map(JSONText.quote) ?? "null"),"fields":[\#(fieldText)],"files":[\#(fileText)]}"#
    }

    /// The boundary parameter of a `multipart/form-data` Content-Type, quotes removed.
    private static func boundary(of contentType: String) -> [UInt8]? {
        // Most bodies are JSON: answer those without splitting anything (the benchmarks run through here).
        guard let first = contentType.utf8.first, first | 0x20 == UInt8(ascii: "m") else { return nil }
        let pieces = contentType.split(separator: ";")
        guard let type = pieces.first, type.trimmingSpaces.lowercased() == "multipart/form-data" else { return nil }
        let parameters = parameters(contentType)
        guard let boundary = parameters["boundary"], !boundary.isEmpty else { return nil }
        return Array(boundary.utf8)
    }

    /// The `name=value` parameters after the first `;`, names lowercased, quotes (not escapes) removed.
    private static func parameters(_ value: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for piece in value.split(separator: ";").dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingSpaces.lowercased()
            var text = piece[piece.index(after: equals)...].trimmingSpaces
            if text.count >= 2, text.first == "\"", text.last == "\"" { text = text.dropFirst().dropLast() }
            parameters[name] = String(text)
        }
        return parameters
    }

    private static func find(_ pattern: [UInt8], in body: [UInt8], from start: Int) -> Int? {
        guard pattern.count <= body.count, start <= body.count - pattern.count else { return nil }
        var position = start
        while position <= body.count - pattern.count {
            guard let hit = body[position...].firstIndex(of: pattern[0]), hit <= body.count - pattern.count else {
                return nil
            }
            if body[hit..<(hit + pattern.count)].elementsEqual(pattern) { return hit }
            position = hit + 1
        }
        return nil
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
