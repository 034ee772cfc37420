import Glibc
import Testing

@testable import MaaSProxy

/// An upstream host that is an IPv4 or IPv6 literal is connected to without the resolver; any
/// other host is a name (nil).
@Suite struct NumericAddressTests {
    enum Family: Sendable, Equatable {
        case v4([UInt8])
        case v6([UInt8])
    }

    /// What the socket address says: family, port (host order), address bytes, and the length.
    private static func decoded(_ address: NumericAddress) -> (family: Family, port: UInt16, length: Int, zeroed: Bool)
    {
        address.withSockAddr { pointer, length in
            switch Int32(pointer.pointee.sa_family) {
            case AF_INET:
                let v4 = pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                let bytes = withUnsafeBytes(of: v4.sin_addr) { Array($0) }
                let zero = withUnsafeBytes(of: v4.sin_zero) { $0.allSatisfy { $0 == 0 } }
                return (.v4(bytes), UInt16(bigEndian: v4.sin_port), Int(length), zero)
            case AF_INET6:
                let v6 = pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                let bytes = withUnsafeBytes(of: v6.sin6_addr) { Array($0) }
                return (
                    .v6(bytes), UInt16(bigEndian: v6.sin6_port), Int(length),
                    v6.sin6_flowinfo == 0 && v6.sin6_scope_id == 0
                )
            default:
                Issue.record("family \(pointer.pointee.sa_family)")
                return (.v4([]), 0, Int(length), false)
            }
        }
    }

    private static func v6(_ tail: [UInt8]) -> Family { .v6([UInt8](repeating: 0, count: 16 - tail.count) + tail) }

    @Test(
        arguments: [
            ("127.0.0.1", 8080, Family.v4([127, 0, 0, 1])),
            ("10.1.2.3", 1, .v4([10, 1, 2, 3])),
            ("0.0.0.0", 65_535, .v4([0, 0, 0, 0])),
            ("255.255.255.255", 80, .v4([255, 255, 255, 255])),
            ("192.0.2.200", 443, .v4([192, 0, 2, 200])),
            ("::1", 443, v6([1])),
            ("[::1]", 8443, v6([1])),
            ("::", 80, v6([])),
            ("[::]", 80, v6([])),
            ("fe80::1", 80, .v6([0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
            (
                "[2001:db8::8a2e:370:7334]", 8000,
                .v6([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0x8A, 0x2E, 0x03, 0x70, 0x73, 0x34])
            ),
            (
                "2001:DB8:0:0:0:0:0:1", 1, .v6([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
            ),
            ("::ffff:192.0.2.1", 80, v6([0xFF, 0xFF, 192, 0, 2, 1])),
        ] as [(String, Int, Family)]
    )
    func literalsBecomeSocketAddresses(host: String, port: Int, expected: Family) throws {
        let address = try #require(NumericAddress(host: host, port: port))
        let decoded = Self.decoded(address)
        #expect(decoded.family == expected)
        #expect(decoded.port == UInt16(port))
        switch expected {
        case .v4: #expect(decoded.length == MemoryLayout<sockaddr_in>.size)
        case .v6: #expect(decoded.length == MemoryLayout<sockaddr_in6>.size)
        }
        #expect(decoded.zeroed)
    }

    @Test(arguments: [
        "localhost", "example.com", "model.svc.cluster.local", "", "[]", "[", "]", "1.2.3", "1.2.3.4.5", "256.1.1.1",
        "1.2.3.-4", "127.1", "0x7f.0.0.1", " 127.0.0.1", "127.0.0.1 ", "127.0.0.1:80", "[::1", "::1]", "[[::1]]",
        "::1::2", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "gggg::1", "[::1]:443", "2001:db8::/32",
    ])
    func namesAreNotLiterals(host: String) {
        #expect(NumericAddress(host: host, port: 80) == nil)
    }

    @Test func theSameHostGivesTheSameBytesAtEveryPort() throws {
        for port in [1, 80, 255, 256, 8080, 65_535] {
            let address = try #require(NumericAddress(host: "198.51.100.9", port: port))
            let decoded = Self.decoded(address)
            #expect(decoded.family == .v4([198, 51, 100, 9]))
            #expect(decoded.port == UInt16(port))
        }
    }
}
