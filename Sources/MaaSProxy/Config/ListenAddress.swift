/// A `HOST:PORT` to listen on (`listen`, `admin.listen`, SPEC 6).
///
/// Written `0.0.0.0:8080`, `localhost:8080` or, for IPv6, `[::1]:8080`. Port 0 asks the kernel for
/// an ephemeral port (tests use it).
struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// Host name or IP literal; IPv6 literals without their brackets.
    var host: String
    /// 0–65535; 0 = ephemeral.
    var port: Int

    static let validPorts = 0...65535
    static let expectation = "HOST:PORT like \"0.0.0.0:8080\" or \"[::1]:8080\""

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init(parsing text: String) throws(ConfigurationValueError) {
        func failure(_ detail: String) -> ConfigurationValueError {
            ConfigurationValueError(expected: Self.expectation, got: text, detail: detail)
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw failure("missing \"]\" after the IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw failure("the port is missing") }
            portText = rest.dropFirst()
            guard host.contains(Character(":")), host.allSatisfy(Self.isIPv6Character) else {
                throw failure("only IPv6 addresses go in brackets")
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw failure("the port is missing") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(Character(":")) { throw failure("an IPv6 address needs brackets, like \"[::1]:8080\"") }
            guard !host.isEmpty else { throw failure("the host is missing (0.0.0.0 listens on every interface)") }
            guard host.allSatisfy(Self.isHostCharacter) else { throw failure("the host is not a name or IP address") }
        }
        guard !portText.isEmpty else { throw failure("the port is missing") }
        guard portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
            Self.validPorts.contains(port)
        else { throw failure("the port must be a number from 0 to 65535") }
        self.init(host: String(host), port: port)
    }

    /// `host:port`, IPv6 hosts in brackets: the form `init(parsing:)` reads.
    var description: String {
        host.contains(Character(":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func isHostCharacter(_ character: Character) -> Bool {
        character.isASCII
            && (character.isLetter || character.isNumber || character == "." || character == "-" || character == "_")
    }

    // Hex digits, `:` and `.` (IPv4-mapped), and `%zone` (letters, digits, `_`, `-`, `.`).
    private static func isIPv6Character(_ character: Character) -> Bool {
        character.isASCII
            && (character.isLetter || character.isNumber || ":.%_-".contains(character))
    }
}
