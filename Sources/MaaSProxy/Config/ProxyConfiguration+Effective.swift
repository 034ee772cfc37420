import Routing

extension ProxyConfiguration {
    /// Every key with the value in force, as a YAML document the loader reads back to the same
    /// configuration (`check-config` prints it; a test round-trips it).
    var effectiveYAML: String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        func list(_ items: [String]) -> String { "[" + items.map(quoted).joined(separator: ", ") + "]" }
        func optional(_ value: String?) -> String { value.map(quoted) ?? "null" }
        func duration(_ value: Duration) -> String { quoted(DurationParser.format(value)) }
        var kindLines = kinds.isEmpty ? ["kinds: {}"] : ["kinds:"]
        for (name, probe) in kinds.sorted(by: { $0.key < $1.key }) {
            switch probe {
            case .none: kindLines.append("  \(quoted(name)): {probe: none}")
            case .http(let method, let path):
                kindLines.append("  \(quoted(name)): {probe: {method: \(quoted(method)), path: \(quoted(path))}}")
            }
        }
        let lines =
            [
                "listen: \(list(listen.map(\.description)))",
                "admin:",
                "  listen: \(quoted(adminListen.description))",
                "publicURL: \(optional(publicURL))",
                "workers: \(workers)",
                "models:",
                "  paths: \(list(models.paths))",
                "  maxFileBytes: \(models.maxFileBytes)",
                "  maxModels: \(models.maxModels)",
                "  kubernetes:",
                "    enabled: \(models.kubernetes.enabled)",
                "    namespaces: \(list(models.kubernetes.namespaces))",
                "    kubeconfig: \(optional(models.kubernetes.kubeconfig))",
            ] + kindLines + [
                "probe:",
                "  deadline: \(duration(probe.deadline))",
                "  concurrency: \(probe.concurrency)",
                "cache:",
                "  ttl: \(duration(cache.ttl))",
                "  deniedTTL: \(duration(cache.deniedTTL))",
                "  unavailableTTL: \(duration(cache.unavailableTTL))",
                "  maxEntries: \(cache.maxEntries)",
                "tls:",
                "  certificate: \(optional(tls.certificate))",
                "  privateKey: \(optional(tls.privateKey))",
                "upstream:",
                "  caBundle: \(optional(upstream.caBundle))",
                "  httpsOnly: \(upstream.httpsOnly)",
                "  insecureSkipVerify: \(upstream.insecureSkipVerify)",
                "  connectTimeout: \(duration(upstream.connectTimeout))",
                "  responseTimeout: \(duration(upstream.responseTimeout))",
                "  idleTimeout: \(duration(upstream.idleTimeout))",
                "limits:",
                "  maxRequestBodyBytes: \(limits.maxRequestBodyBytes)",
                "  maxHeaderBytes: \(limits.maxHeaderBytes)",
                "  requestReadTimeout: \(duration(limits.requestReadTimeout))",
                "listing:",
                "  url: \(listing.url.rawValue)",
                "usage:",
                "  enabled: \(usage.enabled)",
                "  forceStreamUsage: \(usage.forceStreamUsage)",
                "  credentialIdKeyFile: \(optional(usage.credentialIdKeyFile))",
                "log:",
                "  level: \(log.level.rawValue)",
                "metrics:",
                "  enabled: \(metrics.enabled)",
                "shutdownGrace: \(duration(shutdownGrace))",
            ]
        return lines.joined(separator: "\n") + "\n"
    }
}
