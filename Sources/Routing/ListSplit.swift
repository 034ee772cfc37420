/// A single-document YAML list in the shape `kubectl get … -o yaml` writes — top-level keys at
/// column 0, `items:` alone on its line, each item starting with `- ` at column 0 — cut into its
/// envelope (every top-level key but `items`) and batches of whole items, so `ManifestDecoder`
/// can parse one batch at a time: the node tree of a 20 000-item list is ~100 MB, that of a
/// batch a few hundred KB (issue 13's catalog memory).
///
/// Only a cut, never an interpretation: the decoder parses each piece with the YAML parser and
/// falls back to parsing the whole text on any surprise (a batch that does not parse, or holds
/// another number of items; an envelope that is not a list), so the result is the same as a
/// whole parse wherever the cut is taken. Not taken for text with a document marker (`---`,
/// `...`), a second `items:` line, or anything else at column 0 between `items:` and the first item.
struct ListSplit {
    /// The text without the `items:` line and the items.
    var envelope: String
    /// Consecutive items, each batch a YAML sequence, with how many items it holds.
    var batches: [(text: Substring, items: Int)]

    static let itemsPerBatch = 200

    /// nil when the text is not in the shape described above.
    init?(_ text: String) {
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        var itemsLine: Range<String.Index>?
        // Where the items end: the first later line at column 0 that is neither an item nor a comment.
        var itemsEnd: String.Index?
        var itemStarts: [String.Index] = []
        while lineStart < utf8.endIndex {
            let newline = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
            let lineEnd = newline.map { utf8.index(after: $0) } ?? utf8.endIndex
            let first = utf8[lineStart]
            if first == UInt8(ascii: "-") || first == UInt8(ascii: ".") {
                let line = text[lineStart..<(newline ?? utf8.endIndex)]
                if line.hasPrefix("---") || line.hasPrefix("...") { return nil }
            }
            switch first {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
                break
            case UInt8(ascii: "-") where itemsLine != nil && itemsEnd == nil:
                let next = utf8.index(after: lineStart)
                guard
                    next == utf8.endIndex
                        || [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(utf8[next])
                else { return nil }
                itemStarts.append(lineStart)
            default:
                var line = text[lineStart..<(newline ?? utf8.endIndex)]
                while line.hasSuffix("\r") || line.hasSuffix(" ") { line = line.dropLast() }
                if line == "items:" {
                    guard itemsLine == nil else { return nil }
                    itemsLine = lineStart..<lineEnd
                } else if line.hasPrefix("items:") || line.hasPrefix("\"items\"") || line.hasPrefix("'items'") {
                    return nil
                } else if itemsLine != nil, itemsEnd == nil {
                    guard !itemStarts.isEmpty else { return nil }
                    itemsEnd = lineStart
                }
            }
            lineStart = lineEnd
        }
        guard let itemsLine, !itemStarts.isEmpty else { return nil }
        let end = itemsEnd ?? utf8.endIndex
        envelope =
            String(text[..<itemsLine.lowerBound]) + String(text[itemsLine.upperBound..<itemStarts[0]])
            + String(text[end...])
        var batches: [(text: Substring, items: Int)] = []
        var index = 0
        while index < itemStarts.count {
            let last = min(index + Self.itemsPerBatch, itemStarts.count)
            let upper = last < itemStarts.count ? itemStarts[last] : end
            batches.append((text[itemStarts[index]..<upper], last - index))
            index = last
        }
        self.batches = batches
    }
}
