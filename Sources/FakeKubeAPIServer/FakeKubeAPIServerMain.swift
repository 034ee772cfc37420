import FakeServerKit
import Foundation

/// Starts the fake API server: binds, prints `listening HOST:PORT` (the one line on stdout, which tests wait for) and
/// runs until SIGTERM/SIGINT (exit 0). Exit 2 on usage or certificate errors, 1 when the address cannot be bound.
enum FakeKubeAPIServerMain {
    static func run(_ arguments: [String]) -> Int32 {
        let options: KubeLaunchOptions
        do {
            options = try KubeLaunchOptions(arguments: arguments)
        } catch {
            complain("\(error.message)\n\(KubeLaunchOptions.usage)")
            return 2
        }
        if options.help {
            FileHandle.standardOutput.write(Data((KubeLaunchOptions.usage + "\n").utf8))
            return 0
        }
        guard let server = KubeAPIServer(options: options) else {
            complain("cannot set up the event loop")
            return 1
        }
        return FakeServerLaunch.serve(
            server,
            tls: options.tlsCertificate.flatMap { certificate in options.tlsKey.map { (certificate, $0) } },
            bindHost: options.bindHost,
            displayHost: options.host,
            port: options.port,
            complain: complain
        )
    }

    private static func complain(_ message: String) {
        FileHandle.standardError.write(Data("fake-kube-apiserver: \(message)\n".utf8))
    }
}
