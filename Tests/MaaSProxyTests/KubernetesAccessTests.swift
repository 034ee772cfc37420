import Foundation
import Testing

@testable import MaaSProxy

/// Reading the API server's address and credentials (SPEC 1): in-cluster and kubeconfig.
@Suite struct KubernetesAccessTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kube-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func inClusterUsesTheServiceEnvironmentAndRereadsTheToken() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "ca".write(to: directory.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        try "first\n".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let access = try KubernetesAccess.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "6443"],
            directory: directory.path
        )
        #expect(access.server.description == "https://10.0.0.1:6443/")
        #expect(access.tls.caFile == directory.appendingPathComponent("ca.crt").path)
        #expect(access.tls.systemRoots == false)
        #expect(access.bearerToken() == "first")
        try "second".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        #expect(access.bearerToken() == "second")
        #expect(throws: KubernetesAccessError.self) {
            try KubernetesAccess.inCluster(environment: [:], directory: directory.path)
        }
    }

    @Test func kubeconfigCurrentContextWithInlineAndRelativeMaterial() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "PEM".write(to: directory.appendingPathComponent("client.crt"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("config")
        try """
        apiVersion: v1
        kind: Config
        current-context: b
        contexts:
        - {name: a, context: {cluster: one, user: u1}}
        - {name: b, context: {cluster: two, user: u2}}
        clusters:
        - {name: one, cluster: {server: "https://one.example:6443"}}
        - {name: two, cluster: {server: "https://two.example:8443", certificate-authority-data: "\(Data("CA".utf8).base64EncodedString())"}}
        users:
        - {name: u1, user: {token: one-token}}
        - {name: u2, user: {token: two-token, client-certificate: client.crt, client-key-data: "\(Data("KEY".utf8).base64EncodedString())"}}
        """.write(to: file, atomically: true, encoding: .utf8)
        let access = try KubernetesAccess.kubeconfig(file.path)
        #expect(access.server.hostHeader == "two.example:8443")
        #expect(access.tls.caPEM == Array("CA".utf8))
        #expect(access.tls.certificatePEM == Array("PEM".utf8))
        #expect(access.tls.keyPEM == Array("KEY".utf8))
        #expect(access.bearerToken() == "two-token")
    }

    @Test(arguments: [
        "current-context: missing\ncontexts: []\n",
        "current-context: a\ncontexts: [{name: a, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: \"http://plain:80\"}}]\n",
        "current-context: a\ncontexts: [{name: a, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: \"https://x\", certificate-authority: nowhere.pem}}]\n",
        "[not, a, mapping",
    ])
    func unusableKubeconfigsAreErrors(text: String) throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config")
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: KubernetesAccessError.self) { try KubernetesAccess.kubeconfig(file.path) }
    }
}
