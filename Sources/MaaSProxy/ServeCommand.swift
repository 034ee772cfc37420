import ArgumentParser
import Foundation
import Logging

/// `maas-proxy serve`: run the proxy (SPEC 6).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the proxy.")

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let configuration: ProxyConfiguration
        do {
            configuration = try options.resolve()
        } catch {
            FileHandle.standardError.write(Data("maas-proxy: \(error)\n".utf8))
            throw ExitCode(2)
        }
        JSONLogHandler.bootstrap(level: configuration.log.level)
        let logger = Logger(label: "maas-proxy")
        do {
            let options = self.options
            let server = ProxyServer(configuration: configuration, logger: logger) { try options.resolve() }
            let status = try server.run()
            if status != 0 { throw ExitCode(status) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("maas-proxy: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
