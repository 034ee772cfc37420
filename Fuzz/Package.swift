// swift-tools-version:6.2
// libFuzzer harnesses for the HTTP1 codec and the token-usage scanner. A package of its own, so that the
// root package's `swift build` and `swift test` never see it; build and run it with scripts/fuzz.sh
// (docs/fuzzing.md).
import PackageDescription

let package = Package(
    name: "maas-proxy-fuzz",
    dependencies: [
        // The root package, for its HTTP1 and Usage library products only (SwiftPM builds just those).
        .package(name: "maas-proxy", path: "..")
    ],
    targets: [
        // C declarations of libFuzzer's driver and AddressSanitizer's manual poisoning.
        .target(name: "CFuzzSupport"),
        // What the harnesses share: the poisoned input windows, split schedules, the grammar oracle.
        .target(name: "FuzzKit", dependencies: ["CFuzzSupport"]),
        .executableTarget(
            name: "FuzzRequestParser",
            dependencies: ["FuzzKit", .product(name: "HTTP1", package: "maas-proxy")]
        ),
        .executableTarget(
            name: "FuzzResponseParser",
            dependencies: ["FuzzKit", .product(name: "HTTP1", package: "maas-proxy")]
        ),
        .executableTarget(
            name: "FuzzUsageScanner",
            dependencies: ["FuzzKit", .product(name: "Usage", package: "maas-proxy")]
        ),
    ]
)
