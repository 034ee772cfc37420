import ArgumentParser

/// `maas-proxy`: the command-line entry point (SPEC 6).
@main
struct MaaSProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maas-proxy",
        abstract: "Front door for self-hosted LLM inference: per-caller model listing and admission.",
        version: MaaSProxyVersion.current,
        subcommands: [ServeCommand.self, CheckConfigCommand.self, ExplainCommand.self, VersionCommand.self]
    )
}

/// `maas-proxy version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() {
        print("maas-proxy \(MaaSProxyVersion.current)")
    }
}
