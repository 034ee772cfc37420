import Foundation

/// Reads an annotation holding a JSON array of strings (`["chat","tools"]`).
enum StringArrayJSON {
    /// nil when `text` is not a JSON array whose every element is a string.
    static func parse(_ text: String) -> [String]? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let array = value as? [Any]
        else { return nil }
        let strings = array.compactMap { $0 as? String }
        return strings.count == array.count ? strings : nil
    }
}
