/// The command line:
/// `fake-model-server --listen HOST:PORT [--config FILE] [--name NAME] [--ids a,b] [--delay-ms N]
/// [--tls-cert FILE --tls-key FILE] [--verbose]`. `--opt=value` works too.
struct LaunchOptions {
    static let usage = """
        usage: fake-model-server --listen HOST:PORT [--config FILE] [--name NAME] [--verbose]
                                 [--ids a,b] [--delay-ms N]        (without --config only)
                                 [--tls-cert FILE --tls-key FILE]
        """

    /// As written in `--listen` (brackets kept for IPv6), for the `listening` line.
    var displayHost = "127.0.0.1"
    var bindHost = "127.0.0.1"
    var port = 8000
    var configPath: String?
    var name: String?
    var ids: [String]?
    var delayMs: Int?
    var tlsCertificate: String?
    var tlsKey: String?
    var verbose = false
    var help = false

    init(arguments: [String]) throws(LaunchError) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            var flag = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            func value() throws(LaunchError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = remaining.popFirst() else { throw LaunchError("\(flag) needs a value") }
                return next
            }
            switch flag {
            case "--listen": try parseListen(try value())
            case "--config": configPath = try value()
            case "--name": name = try value()
            case "--ids": ids = try value().split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
            case "--delay-ms":
                let text = try value()
                guard let delay = Int(text), delay >= 0 else { throw LaunchError("--delay-ms wants a number: \(text)") }
                delayMs = delay
            case "--tls-cert": tlsCertificate = try value()
            case "--tls-key": tlsKey = try value()
            case "--verbose", "-v": verbose = true
            case "--help", "-h": help = true
            default: throw LaunchError("unknown argument \(argument)")
            }
        }
        if configPath != nil && (ids != nil || delayMs != nil) {
            throw LaunchError("--ids and --delay-ms are for use without --config")
        }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw LaunchError("--tls-cert and --tls-key go together") }
    }

    private mutating func parseListen(_ text: String) throws(LaunchError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { throw LaunchError("--listen wants HOST:PORT, got \(text)") }
        var host = String(text[..<colon])
        if host.isEmpty { host = "0.0.0.0" }
        displayHost = host
        bindHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
    }
}

/// A command-line mistake, reported with the usage text.
struct LaunchError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
