import FakeServerKit
import Foundation

/// Starts the fake backend: reads the options and configuration, binds, prints `listening HOST:PORT` (the one line
/// on stdout, which tests wait for) and runs until SIGTERM/SIGINT (exit 0). Exit 2 on usage or config errors, 1 when
/// the address cannot be bound.
enum FakeModelServerMain {
    static func run(_ arguments: [String]) -> Int32 {
        let options: LaunchOptions
        do {
            options = try LaunchOptions(arguments: arguments)
        } catch {
            complain("\(error.message)\n\(LaunchOptions.usage)")
            return 2
        }
        if options.help {
            FileHandle.standardOutput.write(Data((LaunchOptions.usage + "\n").utf8))
            return 0
        }
        var config = FakeServerConfig.bare(ids: options.ids ?? ["fake-model"], delayMs: options.delayMs)
        if let path = options.configPath {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                complain("cannot read \(path)")
                return 2
            }
            do {
                config = try FakeServerConfig.load(yaml: text)
            } catch {
                complain("\(path): \(error)")
                return 2
            }
        }
        guard let server = FakeServer(config: config, name: options.name, verbose: options.verbose) else {
            complain("cannot set up the event loop")
            return 1
        }
        return FakeServerLaunch.serve(
            server,
            tls: options.tlsCertificate.flatMap { certificate in options.tlsKey.map { (certificate, $0) } },
            bindHost: options.bindHost,
            displayHost: options.displayHost,
            port: options.port,
            complain: complain
        ) {
            server.log("serving \(config.models.map { $0.normalizedPrefix.isEmpty ? "/" : $0.normalizedPrefix })")
        }
    }

    private static func complain(_ message: String) {
        FileHandle.standardError.write(Data("fake-model-server: \(message)\n".utf8))
    }
}
