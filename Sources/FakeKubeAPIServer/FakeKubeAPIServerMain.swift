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
        if let certificate = options.tlsCertificate, let key = options.tlsKey {
            guard let tls = FakeTLS(certificate: certificate, privateKey: key) else {
                complain("cannot load \(certificate) / \(key)")
                return 2
            }
            server.useTLS(tls)
        }
        guard let port = server.bind(host: options.bindHost, port: options.port) else {
            complain("cannot listen on \(options.host):\(options.port)")
            return 1
        }
        // FileHandle writes straight to the descriptor: nothing waits in a buffer.
        FileHandle.standardOutput.write(Data("listening \(options.host):\(port)\n".utf8))
        server.run()
        return 0
    }

    private static func complain(_ message: String) {
        FileHandle.standardError.write(Data("fake-kube-apiserver: \(message)\n".utf8))
    }
}
