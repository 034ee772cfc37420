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
        (413, 100, "request_too_large", 413),
        (400, 4097, "headers_too_large", 431),
        (400, 4096, "bad_request", 400),
        (501, 30, "method_not_supported", 501),
        (408, 30, "bad_request", 408),
    ])
    func evhttpRefusalsMapToTheSpecErrors(evhttpStatus: Int, headBytes: Int, code: String, status: Int) {
        let policy = RefusalPolicy(maxHeaderBytes: 4096, maxBodyBytes: 1024)
        let error = EvhttpErrorPage.error(forEvhttpStatus: evhttpStatus, headBytes: headBytes, policy: policy)
        #expect(error.code == code)
        #expect(error.status == status)
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
