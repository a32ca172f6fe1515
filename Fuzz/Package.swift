// swift-tools-version: 6.1
// libFuzzer targets for every parser of outside bytes. A package of its own so the main
// package's `swift build` never compiles them; built by `make fuzz` (see docs/reliability.md):
//   swift build -c release --scratch-path ../.build-fuzz -Xswiftc -sanitize=fuzzer,address \
//     -Xswiftc -parse-as-library -Xswiftc -enable-testing
// `-enable-testing` lets the targets reach the internal decoders (`@testable import`).
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOEmbedded", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]

let package = Package(
    name: "authd-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "authd", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Shared by the targets: blocking on async work, the fixed engine settings, seed writing.
        // libFuzzer's driver entry point, declared for Swift.
        .target(name: "CFuzzer"),
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzer", .product(name: "Engine", package: "authd"), .product(name: "WAL", package: "authd")]
        ),
        // HTTP request heads and JSON bodies through the real channel handler and engine.
        .executableTarget(
            name: "FuzzHTTP",
            dependencies: [
                .product(name: "HTTPFront", package: "authd"), .product(name: "Engine", package: "authd"),
                .product(name: "Logging", package: "swift-log"), "FuzzSupport",
            ] + nio
        ),
        // Access and refresh tokens through the engine's verification (claims scanner behind it).
        .executableTarget(name: "FuzzToken", dependencies: [.product(name: "Engine", package: "authd"), "FuzzSupport"]),
        // WAL segment bytes through the recovery scanner (headers, frames, batches, lz4).
        .executableTarget(name: "FuzzWALSegment", dependencies: [.product(name: "WAL", package: "authd"), "FuzzSupport"]),
        // Snapshot files through the snapshot store's loader, then the engine's snapshot decoder.
        .executableTarget(
            name: "FuzzSnapshot",
            dependencies: [.product(name: "WAL", package: "authd"), .product(name: "Engine", package: "authd"), "FuzzSupport"]
        ),
        // Engine WAL records (what replay and replication apply).
        .executableTarget(name: "FuzzEngineRecord", dependencies: [.product(name: "Engine", package: "authd"), "FuzzSupport"]),
        // The admin socket's command line reader (compiled from Sources/authd/AdminSocket.swift).
        .executableTarget(name: "FuzzAdmin", dependencies: ["FuzzSupport"]),
        // The replication wire: message decoder, frame header reader, both handshakes.
        .executableTarget(
            name: "FuzzReplication",
            dependencies: [.product(name: "Replication", package: "authd"), .product(name: "WAL", package: "authd"), "FuzzSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
