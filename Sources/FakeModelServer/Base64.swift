import Foundation

/// Standard base64 (with padding) for request bodies that are not UTF-8.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
