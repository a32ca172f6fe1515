// swift-tools-version: 6.1
// Benchmarks for authd, kept out of the root package so that its build and CI never
// compile the benchmark framework. Run from this directory:
//   swift package benchmark                       (ordo-one/benchmark, all benchmarks)
//   swift run -c release engine-report            (one run, medians and ratios)
// See ../docs/benchmarks-engine.md.
import PackageDescription

let package = Package(
    name: "authd-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "authd", path: ".."),
        // Only the MallocInterposer trait: the default "RuntimeInterposer" trait pulls in
        // ordo-one/swift-runtime-interposer on Linux + Swift 6.3, which is not available
        // here. With the trait off, SwiftPM prunes that dependency from resolution.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // OpenSSL libcrypto for the crypto floor (EVP_MAC HMAC-SHA256, RAND_bytes).
        .systemLibrary(name: "CBenchCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Workloads shared by the ordo-one benchmarks and the one-shot report.
        .target(
            name: "AuthdBenchSupport",
            dependencies: [
                "CBenchCrypto",
                .product(name: "Engine", package: "authd"),
                .product(name: "WAL", package: "authd"),
            ]
        ),

        // `swift package benchmark`
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                "AuthdBenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Engine", package: "authd"),
                .product(name: "WAL", package: "authd"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // `swift run -c release engine-report`: the same workloads in one process, without
        // the malloc interposer, with the target ratios printed.
        .executableTarget(
            name: "engine-report",
            dependencies: [
                "AuthdBenchSupport",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Engine", package: "authd"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
