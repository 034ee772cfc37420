import Testing

@testable import MaaSProxy

@Suite struct ProxyErrorTests {
    @Test func bodyHasTheOpenAIShapeWithNullParam() {
        let body = String(decoding: ProxyError.catalogNotLoaded.body, as: UTF8.self)
        #expect(
            body
                == #"{"error":{"message":"The model catalog is not loaded yet; retry shortly.","type":"service_unavailable","param":null,"code":"catalog_not_loaded"}}"#
        )
    }

    @Test(arguments: [
        (["no-cache"], true),
        (["max-age=0, No-Cache"], true),
        (["no-store"], false),
        (["no-cachex"], false),
        ([], false),
        (["max-age=0", "no-cache"], true),
    ])
    func noCacheDirectiveIsRecognised(values: [String], expected: Bool) {
        #expect(CacheControl.requestsNoCache(values) == expected)
    }

    @Test(arguments: [
        ("Authorization", "authorization", true),
        ("X-MaaS-Subscription", "x-maas-subscription", true),
        ("Accept", "Accepts", false),
        ("a[", "A{", false),
    ])
    func headerNamesCompareCaseInsensitively(lhs: String, rhs: String, equal: Bool) {
        #expect(lhs.caseInsensitiveEquals(rhs) == equal)
    }
}
