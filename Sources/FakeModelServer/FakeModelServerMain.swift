import CLibevent
import Foundation
import Yams

/// Command line: `fake-model-server --listen HOST:PORT [--config FILE] [--name NAME] [--ids a,b] [--delay-ms N]
/// [--tls-cert FILE --tls-key FILE]`.
/// Prints `listening HOST:PORT` once bound.
enum FakeModelServerMain {
    static func run(_ arguments: [String]) -> Int32 {
        var listen = "127.0.0.1:8000"
        var configPath: String?
        var ids: [String]?
        var delay: Int?
        var certificate: String?
        var privateKey: String?
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--listen": listen = iterator.next() ?? listen
            case "--config": configPath = iterator.next()
            case "--name": _ = iterator.next()
            case "--ids": ids = iterator.next()?.split(separator: ",").map(String.init)
            case "--delay-ms": delay = iterator.next().flatMap { Int($0) }
            case "--tls-cert": certificate = iterator.next()
            case "--tls-key": privateKey = iterator.next()
            case "--verbose": break
            default:
                FileHandle.standardError.write(Data("fake-model-server: unknown argument \(argument)\n".utf8))
                return 2
            }
        }
        var config = FakeServerConfig.bare
        if let configPath {
            do {
                config = try FakeServerConfig.load(yaml: String(contentsOfFile: configPath, encoding: .utf8))
            } catch {
                FileHandle.standardError.write(Data("fake-model-server: \(configPath): \(error)\n".utf8))
                return 2
            }
        } else {
            if let ids { config.models[0].ids = ids }
            config.models[0].delayMs = delay
        }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            FileHandle.standardError.write(Data("fake-model-server: --listen wants HOST:PORT\n".utf8))
            return 2
        }
        let host = String(listen[..<colon])
        let server = FakeServer(config: config)
        if let certificate, let privateKey {
            guard let tls = FakeTLS(certificate: certificate, privateKey: privateKey) else {
                FileHandle.standardError.write(
                    Data("fake-model-server: cannot load \(certificate) / \(privateKey)\n".utf8)
                )
                return 2
            }
            server.useTLS(tls)
        }
        guard let bound = server.bind(host: host, port: port) else {
            FileHandle.standardError.write(Data("fake-model-server: cannot listen on \(listen)\n".utf8))
            return 1
        }
        signal(SIGTERM) { _ in _exit(0) }
        signal(SIGINT) { _ in _exit(0) }
        _ = maas_unblock_signal(SIGTERM)
        _ = maas_unblock_signal(SIGINT)
        // One unbuffered write: tests wait for this line.
        FileHandle.standardOutput.write(Data("listening \(host):\(bound)\n".utf8))
        server.run()
        return 0
    }
}
