import ArgumentParser
import Foundation
import Routing

/// `maas-proxy check-config`: validate the configuration and every manifest, print the catalog
/// (SPEC 6). Exits non-zero naming every problem.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and every manifest, and print the catalog."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let configuration: ProxyConfiguration
        do {
            configuration = try options.resolve()
        } catch {
            print("configuration: INVALID\n\(error)")
            throw ExitCode(2)
        }
        var problems = configuration.unreadableFiles().map { "\($0)" }
        let report = CatalogCheck.run(
            paths: configuration.models.paths,
            maxFileBytes: configuration.models.maxFileBytes,
            maxModels: configuration.models.maxModels
        )
        problems += report.problems

        print("configuration: ok (effective values below)")
        print(configuration.effectiveYAML, terminator: "")
        for warning in report.warnings { print("warning: \(warning)") }

        let snapshot = CatalogSnapshot(models: report.models, kinds: configuration.kindRegistry)
        let selector = CandidateSelector(
            httpsOnly: configuration.upstream.httpsOnly,
            selfAddresses: configuration.listen.map { SelfAddress(host: $0.host, port: $0.port) }
                + (configuration.publicEndpoint.map { [SelfAddress(publicURL: $0)] } ?? [])
        )
        print("")
        print(CatalogTable.render(snapshot: snapshot, selection: selector.select(from: snapshot)))

        if !problems.isEmpty {
            print("")
            for problem in problems { print("error: \(problem)") }
            throw ExitCode(1)
        }
    }
}

/// Loads every manifest once, collecting problems instead of keeping last good contents.
enum CatalogCheck {
    struct Report {
        var models: [MaaSModel] = []
        var problems: [String] = []
        var warnings: [String] = []
    }

    /// - Parameters:
    ///   - maxFileBytes: `models.maxFileBytes`: a larger file is a problem, as `serve` refuses it.
    ///   - maxModels: `models.maxModels`: models after it (in path order) are a problem.
    static func run(
        paths: [String],
        maxFileBytes: Int = ModelsConfiguration.defaultMaxFileBytes,
        maxModels: Int = ModelsConfiguration.defaultMaxModels
    ) -> Report {
        var report = Report()
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            report.problems.append("models path \(path) does not exist")
        }
        var position: [ModelID: Int] = [:]
        for (file, signature) in ManifestFiles.list(paths).sorted(by: { $0.key < $1.key }) {
            guard signature.size <= Int64(maxFileBytes) else {
                report.problems.append(
                    "\(file): the file has \(signature.size) bytes, over models.maxFileBytes (\(maxFileBytes))"
                )
                continue
            }
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                let decoded = try ManifestDecoder.decode(text, sourceName: file)
                report.warnings += decoded.warnings
                for model in decoded.models {
                    // As the file source merges (SPEC 1): the first file, but a MaaSModelRef over a MaaSModel.
                    guard let earlier = position[model.id] else {
                        position[model.id] = report.models.count
                        report.models.append(model)
                        continue
                    }
                    if model.resource.precedence > report.models[earlier].resource.precedence {
                        report.models[earlier] = model
                    }
                }
            } catch {
                report.problems.append("\(error)")
            }
        }
        if report.models.count > maxModels {
            let refused = report.models[maxModels...].map(\.id.description)
            report.problems.append(
                "\(refused.count) models beyond models.maxModels (\(maxModels)) would be refused: "
                    + CatalogWarnings.quote(refused)
            )
            report.models.removeSubrange(maxModels...)
        }
        return report
    }
}

/// The catalog as a table: namespace/name, kind, phase, endpoint, route prefix, and whether the
/// proxy will use it (or why not).
enum CatalogTable {
    static func render(snapshot: CatalogSnapshot, selection: CandidateSelection) -> String {
        let excluded = Dictionary(
            selection.excluded.map { ($0.model, $0.reason) },
            uniquingKeysWith: { first, _ in first }
        )
        var rows = [["MODEL", "KIND", "PHASE", "ENDPOINT", "ROUTE PREFIX", "STATUS"]]
        for model in snapshot.models {
            let endpoint = EndpointURL(parsing: model.endpoint)
            let prefix = endpoint.map { RouteTable.routePrefix(for: model, endpoint: $0) } ?? "-"
            let status = excluded[model.id].map { "excluded: \($0)" } ?? "ok"
            rows.append([
                "\(model.id)", model.listedKind, model.phase.isEmpty ? "-" : model.phase,
                model.endpoint.isEmpty ? "-" : model.endpoint, prefix, status,
            ])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let lines = rows.map { row in
            zip(row, widths).map { cell, width in cell.padding(toLength: width, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return (lines + ["\(snapshot.models.count) models, \(selection.candidates.count) usable"]).joined(
            separator: "\n"
        )
    }
}
