// swift-tools-version:6.2
// libFuzzer harnesses for the HTTP1 codec. A package of its own, so that the root package's
// `swift build` and `swift test` never see it; build and run it with scripts/fuzz.sh (docs/fuzzing.md).
import PackageDescription

let package = Package(
    name: "maas-proxy-fuzz",
    dependencies: [
        // The root package, for its HTTP1 library product only (SwiftPM builds just that target).
        .package(name: "maas-proxy", path: "..")
    ],
    targets: [
        // C declarations of libFuzzer's driver and AddressSanitizer's manual poisoning.
        .target(name: "CFuzzSupport"),
        // What both harnesses share: the poisoned input windows, split schedules, the grammar oracle.
        .target(name: "FuzzKit", dependencies: ["CFuzzSupport"]),
        .executableTarget(
            name: "FuzzRequestParser",
            dependencies: ["FuzzKit", .product(name: "HTTP1", package: "maas-proxy")]
        ),
        .executableTarget(
            name: "FuzzResponseParser",
            dependencies: ["FuzzKit", .product(name: "HTTP1", package: "maas-proxy")]
        ),
    ]
)
