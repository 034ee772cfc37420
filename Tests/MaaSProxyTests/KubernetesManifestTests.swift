import Foundation
import Testing
import Yams

@testable import MaaSProxy

/// The deployment files under `config/kubernetes/` (issue 6) and the `Containerfile`: every document
/// parses, the RBAC is read-only on `maasmodels` and `maasmodelrefs`, the Deployment's probes, shutdown budget and
/// security settings hold, and the ConfigMap's configuration passes the proxy's own loader.
///
/// No API server is needed: `kubectl apply --dry-run=client` cannot run offline (it asks the server
/// for its resource types), so this is the check CI can always make.
@Suite struct KubernetesManifestTests {
    /// One object read from a manifest file.
    private struct Manifest {
        var file: String
        var object: Node

        var kind: String { object["kind"]?.string ?? "" }
        var name: String { object["metadata"]?["name"]?.string ?? "" }
        var label: String { "\(file): \(kind)/\(name)" }
    }

    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let directory = root.appendingPathComponent("config/kubernetes")
    private static let kustomization = "kustomization.yaml"

    /// Objects Kubernetes keeps per namespace, among the kinds these files use.
    private static let clusterScopedKinds: Set<String> = ["Namespace", "ClusterRole", "ClusterRoleBinding"]
    private static let expectedKinds = [
        "ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Namespace", "PodDisruptionBudget",
        "Service", "ServiceAccount",
    ]

    // MARK: Reading

    /// The manifest files (every `.yaml`/`.yml` but the kustomization), sorted.
    private static func manifestFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && $0 != kustomization }
            .sorted()
    }

    /// Every document of `file`, in order; a document that does not parse throws.
    private static func documents(_ file: String) throws -> [Node] {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        var sequence = try Yams.compose_all(yaml: text)
        var nodes: [Node] = []
        while let node = sequence.next() { nodes.append(node) }
        if let error = sequence.error { throw error }
        return nodes
    }

    private static func manifests() throws -> [Manifest] {
        try manifestFiles().flatMap { file in try documents(file).map { Manifest(file: file, object: $0) } }
    }

    /// The one object of `kind`.
    private static func only(_ kind: String) throws -> Manifest {
        let matching = try manifests().filter { $0.kind == kind }
        try #require(matching.count == 1, "expected one \(kind), found \(matching.count)")
        return matching[0]
    }

    private static func deployment() throws -> (pod: Node, container: Node) {
        let pod = try #require(try only("Deployment").object["spec"]?["template"]?["spec"])
        let containers = pod["containers"]?.array() ?? []
        try #require(containers.count == 1, "the Deployment should run one container")
        return (pod, containers[0])
    }

    /// `maas-proxy.yaml` as the ConfigMap holds it.
    private static func configurationText() throws -> String {
        try #require(try only("ConfigMap").object["data"]?["maas-proxy.yaml"]?.string)
    }

    /// The container port a probe or Service names, by name or number.
    private static func containerPort(_ reference: Node?, in container: Node) -> Int? {
        let ports = container["ports"]?.array() ?? []
        if let number = reference?.int { return ports.contains { $0["containerPort"]?.int == number } ? number : nil }
        let name = reference?.string
        return ports.first { $0["name"]?.string == name }?["containerPort"]?.int
    }

    private static func strings(_ node: Node?) -> [String] { node?.array(of: String.self) ?? [] }

    // MARK: Every document

    @Test func everyDocumentNamesItsAPIVersionKindAndName() throws {
        let all = try Self.manifests()
        #expect(!all.isEmpty)
        for manifest in all {
            #expect(manifest.object.mapping != nil, "\(manifest.file): a document is not an object")
            let apiVersion = manifest.object["apiVersion"]?.string ?? ""
            #expect(!apiVersion.isEmpty, "\(manifest.label): no apiVersion")
            #expect(!manifest.kind.isEmpty, "\(manifest.file): a document has no kind")
            #expect(!manifest.name.isEmpty, "\(manifest.file): a \(manifest.kind) has no metadata.name")
            let namespace = manifest.object["metadata"]?["namespace"]?.string
            if Self.clusterScopedKinds.contains(manifest.kind) {
                #expect(namespace == nil, "\(manifest.label) is cluster-scoped")
            } else {
                #expect(namespace == "maas-proxy", "\(manifest.label) should be in namespace maas-proxy")
            }
        }
    }

    @Test func theKindsAreTheExpectedOnes() throws {
        #expect(try Self.manifests().map(\.kind).sorted() == Self.expectedKinds)
    }

    @Test func theKustomizationListsEveryManifestFile() throws {
        let documents = try Self.documents(Self.kustomization)
        try #require(documents.count == 1)
        #expect(documents[0]["kind"]?.string == "Kustomization")
        #expect(documents[0]["namespace"]?.string == "maas-proxy")
        let resources = Self.strings(documents[0]["resources"])
        #expect(resources.sorted() == (try Self.manifestFiles()))
        #expect(Set(resources).count == resources.count, "a resource is listed twice")
    }

    // MARK: RBAC

    @Test func theClusterRoleGrantsOnlyReadingMaaSModels() throws {
        let rules = try Self.only("ClusterRole").object["rules"]?.array() ?? []
        try #require(rules.count == 1, "expected one rule, found \(rules.count)")
        let rule = rules[0]
        #expect(Self.strings(rule["apiGroups"]) == ["maas.opendatahub.io"])
        // Both resource names the source watches (SPEC 1), and nothing else.
        #expect(Self.strings(rule["resources"]).sorted() == ["maasmodelrefs", "maasmodels"])
        let verbs = Self.strings(rule["verbs"])
        #expect(verbs.sorted() == ["get", "list", "watch"])
        #expect(Set(rule.mapping?.keys.compactMap(\.string) ?? []) == ["apiGroups", "resources", "verbs"])
    }

    @Test func theBindingGivesTheClusterRoleToTheDeploymentsServiceAccount() throws {
        let binding = try Self.only("ClusterRoleBinding").object
        let role = try Self.only("ClusterRole")
        let account = try Self.only("ServiceAccount")
        #expect(binding["roleRef"]?["kind"]?.string == "ClusterRole")
        #expect(binding["roleRef"]?["apiGroup"]?.string == "rbac.authorization.k8s.io")
        #expect(binding["roleRef"]?["name"]?.string == role.name)
        let subjects = binding["subjects"]?.array() ?? []
        try #require(subjects.count == 1)
        #expect(subjects[0]["kind"]?.string == "ServiceAccount")
        #expect(subjects[0]["name"]?.string == account.name)
        #expect(subjects[0]["namespace"]?.string == account.object["metadata"]?["namespace"]?.string)
        let (pod, _) = try Self.deployment()
        #expect(pod["serviceAccountName"]?.string == account.name)
        #expect(pod["automountServiceAccountToken"]?.bool != false, "the Kubernetes source needs the token")
    }

    // MARK: Deployment

    @Test func theProbesUseTheAdminListener() throws {
        let (_, container) = try Self.deployment()
        let configuration = try Self.loadConfiguration()
        for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
            let get = container[probe]?["httpGet"]
            #expect(get?["path"]?.string == path, "\(probe)")
            #expect(
                Self.containerPort(get?["port"], in: container) == configuration.adminListen.port,
                "\(probe) should use the admin port"
            )
        }
        #expect(configuration.adminListen.host == "0.0.0.0", "the kubelet probes the pod IP")
    }

    @Test func theServiceExposesOnlyTheProxyPort() throws {
        let (_, container) = try Self.deployment()
        let configuration = try Self.loadConfiguration()
        let service = try Self.only("Service").object
        #expect(service["spec"]?["type"]?.string ?? "ClusterIP" == "ClusterIP")
        let ports = service["spec"]?["ports"]?.array() ?? []
        try #require(ports.count == 1)
        #expect(ports[0]["name"]?.string == "http")
        #expect(ports[0]["port"]?.int == 80)
        let target = Self.containerPort(ports[0]["targetPort"], in: container)
        #expect(target == configuration.listen.first?.port)
        #expect(target != configuration.adminListen.port)

        let podLabels = try Self.only("Deployment").object["spec"]?["template"]?["metadata"]?["labels"]
        let selector = try #require(service["spec"]?["selector"]?.mapping)
        #expect(!selector.isEmpty)
        for (key, value) in selector { #expect(podLabels?[key] == value, "selector \(key.string ?? "")") }
    }

    @Test func terminationOutlastsShutdownGraceAndPreStop() throws {
        let (pod, container) = try Self.deployment()
        let grace = try #require(pod["terminationGracePeriodSeconds"]?.int)
        let shutdownGrace = try Self.loadConfiguration().shutdownGrace
        #expect(grace > 30)
        // The kubelet's clock starts before preStop, so the sleep counts against the same budget.
        let preStop = container["lifecycle"]?["preStop"]
        let sleep =
            preStop?["sleep"]?["seconds"]?.int
            ?? Self.strings(preStop?["exec"]?["command"]).last.flatMap { Int($0) } ?? 0
        #expect(.seconds(grace) > shutdownGrace + .seconds(sleep))
    }

    @Test func theContainerRunsLockedDown() throws {
        let (pod, container) = try Self.deployment()
        let security = container["securityContext"]
        let podSecurity = pod["securityContext"]
        #expect((security?["runAsNonRoot"] ?? podSecurity?["runAsNonRoot"])?.bool == true)
        #expect(security?["readOnlyRootFilesystem"]?.bool == true)
        #expect(security?["allowPrivilegeEscalation"]?.bool == false)
        #expect(Self.strings(security?["capabilities"]?["drop"]) == ["ALL"])
        let added = Self.strings(security?["capabilities"]?["add"])
        #expect(added.isEmpty)
        let seccomp = security?["seccompProfile"] ?? podSecurity?["seccompProfile"]
        #expect(seccomp?["type"]?.string == "RuntimeDefault")
        #expect(container["resources"]?["requests"]?["memory"] != nil)
        #expect(container["resources"]?["limits"]?["memory"] != nil)
    }

    @Test func theReplicasAreSpreadAndProtected() throws {
        let deployment = try Self.only("Deployment").object
        let replicas = try #require(deployment["spec"]?["replicas"]?.int)
        #expect(replicas >= 2)
        let pod = deployment["spec"]?["template"]?["spec"]
        #expect(
            pod?["topologySpreadConstraints"]?.array().contains {
                $0["topologyKey"]?.string == "kubernetes.io/hostname"
            } == true || pod?["affinity"]?["podAntiAffinity"] != nil
        )
        let budget = try Self.only("PodDisruptionBudget").object
        let minAvailable = try #require(budget["spec"]?["minAvailable"]?.int)
        #expect(minAvailable >= 1 && minAvailable < replicas)
        #expect(
            budget["spec"]?["selector"]?["matchLabels"] == deployment["spec"]?["selector"]?["matchLabels"]
        )
    }

    /// The container's arguments, with the ConfigMap where the Deployment mounts it, resolve to a
    /// valid configuration, and `--workers` matches the CPU limit.
    @Test func theArgumentsResolveWithTheMountedConfigMap() throws {
        let (pod, container) = try Self.deployment()
        let arguments = Self.strings(container["args"])
        try #require(arguments.first == "serve")
        let configIndex = try #require(arguments.firstIndex(of: "--config"))
        try #require(configIndex + 1 < arguments.count)
        let configPath = arguments[configIndex + 1]

        // The ConfigMap volume is mounted read-only at the directory of that path.
        let mount = (container["volumeMounts"]?.array() ?? []).first {
            $0["mountPath"]?.string == (configPath as NSString).deletingLastPathComponent
        }
        #expect(mount?["readOnly"]?.bool == true)
        let volume = (pod["volumes"]?.array() ?? []).first { $0["name"] == mount?["name"] }
        #expect(volume?["configMap"]?["name"]?.string == (try Self.only("ConfigMap").name))
        let key = (configPath as NSString).lastPathComponent
        #expect(try Self.only("ConfigMap").object["data"]?[key]?.string != nil)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kube-\(UUID().uuidString).yaml")
        try Self.configurationText().write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var local = Array(arguments.dropFirst())
        local[configIndex] = file.path
        let configuration = try ServeCommand.parse(local).options.resolve()

        if arguments.contains("--workers"), let limit = container["resources"]?["limits"]?["cpu"]?.string {
            let cpus = limit.hasSuffix("m") ? Int(limit.dropLast()).map { $0 / 1000 } : Int(limit)
            #expect(configuration.workers == cpus, "--workers should match the CPU limit \(limit)")
        }
    }

    // MARK: ConfigMap

    /// The ConfigMap's `maas-proxy.yaml` through the proxy's own loader.
    private static func loadConfiguration() throws -> ProxyConfiguration {
        var draft = ConfigurationDraft()
        ConfigurationLoader.apply(yaml: try configurationText(), file: "configmap.yaml#maas-proxy.yaml", to: &draft)
        return try draft.finish()
    }

    @Test func theConfigMapsConfigurationLoadsAndValidates() throws {
        let configuration = try Self.loadConfiguration()
        #expect(configuration.listen == [ListenAddress(host: "0.0.0.0", port: 8080)])
        #expect(configuration.adminListen == ListenAddress(host: "0.0.0.0", port: 9090))
        #expect(configuration.models.paths.isEmpty)
        #expect(configuration.models.kubernetes.enabled)
        #expect(configuration.models.kubernetes.namespaces.isEmpty)
        #expect(configuration.models.kubernetes.kubeconfig == nil, "in-cluster credentials")
        #expect(configuration.log.level == .info)
        #expect(configuration.shutdownGrace == .seconds(30))
    }

    // MARK: Containerfile

    /// `runAsNonRoot` without `runAsUser` relies on the image's user being numeric and not 0, and
    /// the Deployment's arguments must fit the image's entry point.
    @Test func theContainerfileMatchesTheDeployment() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Containerfile"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        func instruction(_ name: String) -> String? {
            lines.last { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
        }
        let user = try #require(instruction("USER"))
        let uid = try #require(Int(user.split(separator: ":")[0]), "USER should be numeric, got \(user)")
        #expect(uid != 0)

        let decoder = JSONDecoder()
        let entrypoint = try decoder.decode([String].self, from: Data(try #require(instruction("ENTRYPOINT")).utf8))
        let command = try decoder.decode([String].self, from: Data(try #require(instruction("CMD")).utf8))
        #expect(entrypoint == ["/usr/local/bin/maas-proxy"])
        let (_, container) = try Self.deployment()
        #expect(container["command"] == nil, "the Deployment should keep the image's entry point")
        #expect(Self.strings(container["args"]).starts(with: command))
    }
}
