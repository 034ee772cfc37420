import Testing

@testable import MaaSProxy

@Test func versionIsSemantic() {
    let parts = MaaSProxyVersion.current.split(separator: ".")
    #expect(parts.count == 3)
    #expect(parts.allSatisfy { Int($0) != nil })
}
