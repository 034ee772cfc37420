/// The command line (`--opt=value` works too); see `usage`.
struct KubeLaunchOptions {
    static let usage = """
        usage: fake-kube-apiserver --listen HOST:PORT [--tls-cert FILE --tls-key FILE] [--token TOKEN]
                                   [--bookmark-interval-ms N] [--resources PLURAL,...] [--verbose]
        --resources: the resource types served, of maasmodels,maasmodelrefs (the default: both); the others
                     answer 404, as an API server without their CRD does
        """

    /// As written in `--listen` (brackets kept for IPv6), for the `listening` line.
    var host = "127.0.0.1"
    var port = 6443
    var tlsCertificate: String?
    var tlsKey: String?
    var token: String?
    /// 0: bookmarks only on `POST /_fake/bookmark`.
    var bookmarkIntervalMs = 1000
    var resources = FakeResource.all
    var verbose = false
    var help = false

    /// The host to bind: without IPv6 brackets.
    var bindHost: String { host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host }

    init(arguments: [String]) throws(KubeLaunchError) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            let inline = argument.hasPrefix("--") ? argument.firstIndex(of: "=") : nil
            let flag = inline.map { String(argument[..<$0]) } ?? argument
            func value() throws(KubeLaunchError) -> String {
                if let inline { return String(argument[argument.index(after: inline)...]) }
                guard let next = remaining.popFirst() else { throw KubeLaunchError("\(flag) needs a value") }
                return next
            }
            switch flag {
            case "--listen":
                let text = try value()
                guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                    (0...65_535).contains(port)
                else { throw KubeLaunchError("--listen wants HOST:PORT, got \(text)") }
                host = colon == text.startIndex ? "0.0.0.0" : String(text[..<colon])
                self.port = port
            case "--tls-cert": tlsCertificate = try value()
            case "--tls-key": tlsKey = try value()
            case "--token": token = try value()
            case "--bookmark-interval-ms":
                let text = try value()
                guard let interval = Int(text), interval >= 0 else {
                    throw KubeLaunchError("--bookmark-interval-ms wants a number: \(text)")
                }
                bookmarkIntervalMs = interval
            case "--resources":
                let text = try value()
                let names = text.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
                let found = names.compactMap(FakeResource.named)
                guard found.count == names.count else {
                    throw KubeLaunchError("--resources wants maasmodels and/or maasmodelrefs: \(text)")
                }
                resources = found
            case "--verbose", "-v": verbose = true
            case "--help", "-h": help = true
            default: throw KubeLaunchError("unknown argument \(argument)")
            }
        }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw KubeLaunchError("--tls-cert and --tls-key go together") }
    }
}

/// A command-line mistake, reported with the usage text.
struct KubeLaunchError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
