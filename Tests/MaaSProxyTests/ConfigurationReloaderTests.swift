import Testing

@testable import MaaSProxy

/// SIGHUP applies some keys at once; the others are named in a warning (docs/configuration.md).
@Suite struct ConfigurationReloaderTests {
    @Test(
        arguments: [
            ({ @Sendable (c: inout ProxyConfiguration) in c.listing.url = .proxy }, ["listing"]),
            ({ @Sendable (c: inout ProxyConfiguration) in c.usage.forceStreamUsage = true }, ["usage"]),
            ({ @Sendable (c: inout ProxyConfiguration) in c.usage.credentialIdKeyFile = "/k" }, ["usage"]),
            ({ @Sendable (c: inout ProxyConfiguration) in c.workers += 1 }, ["workers"]),
            ({ @Sendable (c: inout ProxyConfiguration) in c.probe.concurrency += 1 }, []),
            ({ @Sendable (c: inout ProxyConfiguration) in c.log.level = .debug }, []),
        ] as [(@Sendable (inout ProxyConfiguration) -> Void, [String])]
    )
    func keysReadOnlyAtStartAreNamed(change: @Sendable (inout ProxyConfiguration) -> Void, expected: [String]) {
        let running = ProxyConfiguration()
        var next = running
        change(&next)
        #expect(ConfigurationReloader.restartKeys(running: running, next: next) == expected)
    }
}
