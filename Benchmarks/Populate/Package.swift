// swift-tools-version: 6.1
// `authd-populate DIR USERS`: writes a data directory that `authd serve` opens, holding USERS users
// and one session each, made in process (no HTTP, Argon2id at its minimum cost), then snapshots it.
// A package of its own, depending on the root package's Engine and WAL only, so it builds without
// the benchmark framework that ../Package.swift needs. From this directory:
//   swift build -c release && .build/release/authd-populate /tmp/authd-1m 1000000
// (Without network access, copy ../../Package.resolved here first: the root package's pins then
// resolve from SwiftPM's local cache.)
// See ../replication-snapshot.py and ../../docs/benchmarks.md.
import PackageDescription

let package = Package(
    name: "authd-populate",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "authd", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "authd-populate",
            dependencies: [
                .product(name: "Engine", package: "authd"),
                .product(name: "WAL", package: "authd"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
