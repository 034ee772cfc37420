import Foundation
import Glibc

/// Reading a response piece by piece, to see when each chunk of a stream arrives.
extension RawHTTPClient {
    /// Reads the status line and headers only.
    func readHead() throws -> RawResponse {
        let headEnd = try readUntilMarker([13, 10, 13, 10])
        let head = String(decoding: takeBuffered(headEnd + 4).dropLast(4), as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw RawHTTPError.malformed(head) }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return RawResponse(status: status, headers: headers, body: [])
    }

    /// The next chunk of a chunked body; nil after the terminating zero-size chunk. Throws
    /// `RawHTTPError.closed` when the connection ends before it (a cut-off body).
    func readChunk() throws -> [UInt8]? {
        let lineEnd = try readUntilMarker([13, 10])
        let sizeText = String(decoding: takeBuffered(lineEnd + 2).dropLast(2), as: UTF8.self)
        guard let size = Int(sizeText.split(separator: ";").first.map(String.init) ?? "", radix: 16) else {
            throw RawHTTPError.malformed("chunk size \(sizeText)")
        }
        if size == 0 {
            _ = try readUntilMarker([13, 10])
            _ = takeBuffered(2)
            return nil
        }
        let data = try readCount(size + 2)
        return Array(data.dropLast(2))
    }
}
