import HTTP1
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
        (RequestRefusal.bodyTooLarge, "request_too_large", 413, "1024 bytes"),
        (.headersTooLarge, "headers_too_large", 431, "4096 bytes"),
        (.badRequest("obs-fold"), "bad_request", 400, "well-formed"),
        (.methodNotSupported("BREW"), "method_not_supported", 501, "method"),
        (.versionNotSupported, "http_version_not_supported", 505, "HTTP/1.1"),
    ])
    func codecRefusalsMapToTheSpecErrors(refusal: RequestRefusal, code: String, status: Int, message: String) {
        let limits = HTTPServerLimits(
            maxHeaderBytes: 4096,
            maxBodyBytes: 1024,
            connectionTimeoutSeconds: 60,
            requestReadTimeout: .seconds(60)
        )
        let error = ProxyError.refusal(refusal, limits: limits)
        #expect(error.code == code)
        #expect(error.status == status)
        #expect(error.message.contains(message))
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
