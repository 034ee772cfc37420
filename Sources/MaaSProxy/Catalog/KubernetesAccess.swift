import Foundation
import Routing
import Yams

/// Where the Kubernetes API server is and how to authenticate to it (SPEC 1): in-cluster (service
/// account) or a kubeconfig's current context.
struct KubernetesAccess: Sendable {
    static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    var server: EndpointURL
    var tls: TLSClientMaterial
    /// A token written in the kubeconfig.
    var token: String?
    /// A token file, read again for every connection: projected service-account tokens rotate.
    var tokenFile: String?
    /// Names the credentials in logs and errors.
    var label: String

    /// The bearer token for the next connection, if any.
    func bearerToken() -> String? {
        if let tokenFile, let data = FileManager.default.contents(atPath: tokenFile) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
        return token
    }

    /// The pod's service account: `KUBERNETES_SERVICE_HOST`/`_PORT`, its token and the cluster CA.
    static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = serviceAccountDirectory
    ) throws(KubernetesAccessError) -> KubernetesAccess {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw KubernetesAccessError(
                "not running in a cluster (KUBERNETES_SERVICE_HOST is unset); set models.kubernetes.kubeconfig"
            )
        }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { Int($0) } ?? 443
        let bracketed = host.contains(Character(":")) ? "[\(host)]" : host
        guard let server = EndpointURL(parsing: "https://\(bracketed):\(port)") else {
            throw KubernetesAccessError("KUBERNETES_SERVICE_HOST '\(host)' is not a host")
        }
        let caFile = directory + "/ca.crt"
        guard FileManager.default.isReadableFile(atPath: caFile) else {
            throw KubernetesAccessError("cannot read the cluster CA \(caFile)")
        }
        return KubernetesAccess(
            server: server,
            tls: TLSClientMaterial(caFile: caFile, systemRoots: false, label: "in-cluster"),
            token: nil,
            tokenFile: directory + "/token",
            label: "in-cluster service account"
        )
    }

    /// The current context of the kubeconfig at `path`: server, CA (file or inline), and a token
    /// (inline or `tokenFile`) or a client certificate (file or inline). Relative file names are
    /// relative to the kubeconfig's directory, as kubectl reads them.
    static func kubeconfig(_ path: String) throws(KubernetesAccessError) -> KubernetesAccess {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubernetesAccessError("cannot read kubeconfig \(path)")
        }
        let root: [String: Any]
        do {
            root = try Yams.load(yaml: String(decoding: data, as: UTF8.self)) as? [String: Any] ?? [:]
        } catch {
            throw KubernetesAccessError("kubeconfig \(path) is not valid YAML")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ file: String?) -> String? {
            guard let file, !file.isEmpty else { return nil }
            return file.hasPrefix("/") ? file : base.appendingPathComponent(file).path
        }
        func named(_ list: String, _ name: String?, _ field: String) -> [String: Any]? {
            let entries = root[list] as? [[String: Any]] ?? []
            return entries.first { ($0["name"] as? String) == name }?[field] as? [String: Any]
        }
        guard let contextName = root["current-context"] as? String,
            let context = named("contexts", contextName, "context")
        else { throw KubernetesAccessError("kubeconfig \(path) has no usable current-context") }
        guard let cluster = named("clusters", context["cluster"] as? String, "cluster"),
            let serverText = cluster["server"] as? String, let server = EndpointURL(parsing: serverText),
            server.scheme == "https"
        else { throw KubernetesAccessError("kubeconfig \(path): the current context's cluster needs an https server") }
        let user = named("users", context["user"] as? String, "user") ?? [:]
        func bytes(file: String?, data: String?, what: String) throws(KubernetesAccessError) -> [UInt8]? {
            if let data {
                guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                    throw KubernetesAccessError("kubeconfig \(path): \(what)-data is not base64")
                }
                return Array(decoded)
            }
            guard let file = resolve(file) else { return nil }
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw KubernetesAccessError("kubeconfig \(path): cannot read \(what) \(file)")
            }
            return Array(contents)
        }
        let tls = TLSClientMaterial(
            caFile: nil,
            caPEM: try bytes(
                file: cluster["certificate-authority"] as? String,
                data: cluster["certificate-authority-data"] as? String,
                what: "certificate-authority"
            ),
            certificatePEM: try bytes(
                file: user["client-certificate"] as? String,
                data: user["client-certificate-data"] as? String,
                what: "client-certificate"
            ),
            keyPEM: try bytes(
                file: user["client-key"] as? String,
                data: user["client-key-data"] as? String,
                what: "client-key"
            ),
            systemRoots: true,
            insecureSkipVerify: cluster["insecure-skip-tls-verify"] as? Bool ?? false,
            label: "kubeconfig \(path)"
        )
        return KubernetesAccess(
            server: server,
            tls: tls,
            token: user["token"] as? String,
            tokenFile: resolve(user["tokenFile"] as? String),
            label: "kubeconfig \(path) (context \(contextName))"
        )
    }
}

struct KubernetesAccessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
