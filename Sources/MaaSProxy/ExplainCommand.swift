import AccessCheck
import ArgumentParser
import Foundation
import Routing

/// `maas-proxy explain MODEL`: what the proxy would do for one model and one credential — the probe
/// sent (credential redacted), each answer and its classification, the served ids, the decision and
/// its lifetime, and the route prefix. The credential is read from a file or stdin, never argv.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain the access decision for one model and one credential.",
        discussion:
            "The credential (the whole Authorization value, e.g. 'Bearer abc') is read from --credential-file or stdin."
    )

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The model: namespace/name, or a served id.")
    var model: String

    @Option(help: "File holding the Authorization value; '-' or absent reads stdin.")
    var credentialFile: String?

    @Option(help: "X-MaaS-Subscription value to probe with.")
    var subscription: String?

    func run() throws {
        let configuration: ProxyConfiguration
        do {
            configuration = try options.resolve()
        } catch {
            print("configuration: INVALID\n\(error)")
            throw ExitCode(2)
        }
        guard let credential = Credential(authorizationHeader: try readCredential()) else {
            print("error: the credential is empty")
            throw ExitCode(2)
        }
        let report = CatalogCheck.run(paths: configuration.models.paths)
        for problem in report.problems { print("warning: \(problem)") }
        let snapshot = CatalogSnapshot(models: report.models, kinds: configuration.kindRegistry)
        let selection = CandidateSelector(
            httpsOnly: configuration.upstream.httpsOnly,
            selfAddresses: configuration.listen.map { SelfAddress(host: $0.host, port: $0.port) }
        ).select(from: snapshot)

        var candidates = selection.candidates
        if let id = ModelID(parsing: model) {
            if let exclusion = selection.excluded.first(where: { $0.model == id }) {
                print("model        \(id)\nstatus       excluded: \(exclusion.reason) — never probed, listed or routed")
                return
            }
            candidates = candidates.filter { $0.model.id == id }
            guard !candidates.isEmpty else {
                print("error: no model \(id) in the catalog")
                throw ExitCode(1)
            }
        }
        let caller = Caller(credential: credential, subscription: subscription?.trimmingHTTPWhitespace())
        let outcome = try ExplainRun.probe(candidates: candidates, caller: caller, configuration: configuration)
        let entries = ModelListing.entries(
            candidates: candidates,
            decisions: outcome.result.decisions,
            urls: configuration.listingURL
        )
        let shown =
            ModelID(parsing: model) == nil
            ? candidates.filter { candidate in entries.contains { $0.id == model && $0.url == candidate.model.endpoint }
            }
            : candidates
        if shown.isEmpty {
            print("no model serves the id \(model) to this credential (\(candidates.count) models probed)")
            throw ExitCode(1)
        }
        for candidate in shown {
            print(
                ExplainReport.render(
                    candidate: candidate,
                    result: outcome.result,
                    attempts: outcome.attempts,
                    lifetimes: AccessCheckSettings(configuration: configuration).lifetimes,
                    entries: entries.filter {
                        $0.url == candidate.model.endpoint && $0.ownedBy == candidate.model.namespace
                    }
                )
            )
        }
    }

    private func readCredential() throws -> String {
        if let credentialFile, credentialFile != "-" {
            return try String(contentsOfFile: credentialFile, encoding: .utf8)
        }
        return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
}

/// Runs one access check on a private event loop on the calling thread.
enum ExplainRun {
    struct Outcome {
        var result: AccessCheckResult
        var attempts: [RecordingProbeTransport.Attempt]
    }

    static func probe(candidates: [Candidate], caller: Caller, configuration: ProxyConfiguration) throws -> Outcome {
        let loop = try EventLoop(name: "explain")
        let tls = try UpstreamTLSContext(
            caBundle: configuration.upstream.caBundle,
            insecureSkipVerify: configuration.upstream.insecureSkipVerify
        )
        let pool = UpstreamConnectionPool(loop: loop, tls: tls)
        let transport = RecordingProbeTransport(LibeventProbeTransport(pool: pool), loop: loop)
        let checker = AccessChecker(
            cache: DecisionCache(),
            transport: transport,
            digest: OpenSSLDigest(),
            settings: AccessCheckSettings(configuration: configuration),
            random: { Double.random(in: 0..<1) }
        )
        let box = ResultHolder()
        loop.execute {
            checker.check(caller: caller, candidates: candidates, bypassCache: true, scheduler: loop) { result in
                box.result = result
                loop.stop()
            }
        }
        loop.run()
        guard let result = box.result else { throw ExitCode(1) }
        return Outcome(result: result, attempts: transport.attempts)
    }

    private final class ResultHolder: @unchecked Sendable {
        var result: AccessCheckResult?
    }
}

/// The human-readable explanation of one model's decision.
enum ExplainReport {
    static func render(
        candidate: Candidate,
        result: AccessCheckResult,
        attempts: [RecordingProbeTransport.Attempt],
        lifetimes: DecisionLifetimes,
        entries: [ModelEntry]
    ) -> String {
        let model = candidate.model
        var lines = [
            "model        \(model.id)",
            "kind         \(model.listedKind) (\(probeDescription(candidate.probe)))",
            "phase        \(model.phase.isEmpty ? "-" : model.phase)",
            "endpoint     \(model.endpoint)",
            "route prefix \(RouteTable.routePrefix(for: model, endpoint: candidate.endpoint))",
        ]
        let mine = attempts.filter { $0.request.url.description.hasPrefix(candidate.endpoint.description) }
        if let first = mine.first {
            lines.append("probe        \(first.request.method) \(first.request.url)")
            for header in first.request.headers {
                let value = SensitiveHeader.isSensitive(header.name) ? "<redacted>" : header.value
                lines.append("               \(header.name): \(value)")
            }
        }
        for (number, attempt) in mine.enumerated() {
            let answer = attempt.response.map(describe) ?? "no answer (deadline)"
            let classification = attempt.response.map { describe(ProbeClassifier.classify($0)) } ?? "unavailable"
            lines.append(
                "attempt \(number + 1)    \(answer) in \(String(format: "%.1f", attempt.duration.milliseconds)) ms → \(classification)"
            )
        }
        if let decision = result.decisions[model.id] {
            if case .granted(let served, let via405) = decision.outcome {
                let ids = served.map(\.id).joined(separator: ", ")
                lines.append(
                    "served ids   \(via405 ? "none (405: listed as metadata.name)" : (ids.isEmpty ? "none" : ids))"
                )
            }
            let cached =
                candidate.probe == .none
                ? "not cached (no probe for this kind)"
                : "cached for \(DurationParser.format(lifetimes.lifetime(of: decision.outcome)))"
            lines.append("decision     \(decision.outcomeName), \(cached)")
        }
        lines.append("listed as    \(entries.isEmpty ? "not listed" : entries.map(\.id).joined(separator: ", "))")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func probeDescription(_ probe: ProbeSpec) -> String {
        switch probe {
        case .none: "no probe: listed when Ready"
        case .http(let method, let path): "probe \(method) \(path)"
        }
    }

    private static func describe(_ classification: ProbeClassification) -> String {
        switch classification {
        case .granted(_, true): "granted (405)"
        case .granted(let served, false): "granted (\(served.count) served ids)"
        case .denied(let status): "denied (\(status))"
        case .retryable(let reason): "retry (\(reason))"
        }
    }

    private static func describe(_ response: ProbeResponse) -> String {
        switch response {
        case .http(let status, let body): "HTTP \(status), \(body.count) bytes"
        case .bodyTooLarge(let status): "HTTP \(status), body over 4 MiB"
        case .failed(let reason): "failed: \(reason)"
        }
    }
}
