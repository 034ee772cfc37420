// swift-tools-version:6.2
// The cost of token-usage accounting (SPEC 7) in instructions, for callgrind: bench/usage-cost.sh.
// A package of its own so the root package's build never sees it; it uses only the Usage product.
import PackageDescription

let package = Package(
    name: "usage-cost",
    dependencies: [.package(name: "maas-proxy", path: "../..")],
    targets: [
        .executableTarget(
            name: "UsageCost",
            dependencies: [.product(name: "Usage", package: "maas-proxy")],
            swiftSettings: [.treatAllWarnings(as: .error)]
        )
    ]
)
