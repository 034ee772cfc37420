// swift-tools-version:6.2
import PackageDescription

/// Our own targets build with warnings as errors; dependencies keep their own settings.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "maas-proxy",
    products: [
        .executable(name: "maas-proxy", targets: ["MaaSProxy"]),
        .executable(name: "fake-model-server", targets: ["FakeModelServer"]),
        .executable(name: "fake-kube-apiserver", targets: ["FakeKubeAPIServer"]),
        // For the libFuzzer harnesses under Fuzz/, a package of their own (built with -sanitize=fuzzer).
        .library(name: "HTTP1", targets: ["HTTP1"]),
        .library(name: "Usage", targets: ["Usage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The only C in the package: libevent, libevent_openssl, libevent_pthreads and OpenSSL.
        .systemLibrary(
            name: "CLibevent",
            pkgConfig: "libevent_openssl libevent_pthreads openssl",
            providers: [.apt(["libevent-dev", "libssl-dev"])]
        ),
        // Pure Swift: catalog, kinds, endpoint rules, routes. No I/O.
        .target(
            name: "Routing",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // Pure Swift: the strict HTTP/1.1 codec (RFC 9112) over borrowed bytes. No I/O, no Foundation.
        .target(name: "HTTP1", swiftSettings: strict),
        // Pure Swift: token usage read from answers as they stream, the include_usage rewrite (SPEC 7).
        .target(name: "Usage", swiftSettings: strict),
        // Pure Swift: probes, classification, retries, decision cache, listing. Network only via protocols.
        .target(
            name: "AccessCheck",
            dependencies: ["Routing"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MaaSProxy",
            dependencies: [
                "CLibevent", "HTTP1", "Routing", "AccessCheck", "Usage",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // An OpenAI-compatible stand-in for vLLM used by the tests, the demo and the benchmarks.
        .executableTarget(
            name: "FakeModelServer",
            dependencies: ["CLibevent", "FakeServerKit", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // A stand-in for the Kubernetes API server (maasmodels list + watch) used by the catalog tests.
        .executableTarget(
            name: "FakeKubeAPIServer",
            dependencies: ["CLibevent", "FakeServerKit"],
            swiftSettings: strict
        ),
        // What both fake servers need from libevent and OpenSSL: TLS on an evhttp server, loop timers.
        .target(name: "FakeServerKit", dependencies: ["CLibevent"], swiftSettings: strict),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"], swiftSettings: strict),
        .testTarget(name: "UsageTests", dependencies: ["Usage"], swiftSettings: strict),
        .testTarget(name: "RoutingTests", dependencies: ["Routing"], swiftSettings: strict),
        .testTarget(name: "AccessCheckTests", dependencies: ["AccessCheck", "Routing"], swiftSettings: strict),
        .testTarget(
            name: "MaaSProxyTests",
            dependencies: ["MaaSProxy", "HTTP1", "Routing", "AccessCheck"],
            swiftSettings: strict
        ),
    ]
)
