// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "authd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "authd", targets: ["authd"]),
        .executable(name: "bench", targets: ["bench"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "WAL", targets: ["WAL"]),
        .library(name: "HTTPFront", targets: ["HTTPFront"]),
        .library(name: "Replication", targets: ["Replication"]),
        .library(name: "Etcd", targets: ["Etcd"]),
        .library(name: "Failover", targets: ["Failover"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // System libraries (Debian: liblz4-dev, libssl-dev, libsodium-dev).
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),

        // CRC32C (Castagnoli): SSE4.2 crc32 instruction with a slice-by-8 fallback.
        .target(name: "CCRC32C"),

        // A value behind a pthread mutex: the one lock type, and one ThreadSanitizer can see
        // (standard library and libc only).
        .target(name: "Locking"),

        // A generic durable log of byte records and snapshot files.
        .target(name: "WAL", dependencies: ["CLZ4", "CCRC32C", "Locking"]),

        // One strict, allocation-free JSON reader and one writer into a caller's buffer
        // (standard library only: the engine, the HTTP front and bench share its grammar).
        .target(name: "JSON"),

        // The auth core: users, sessions, refresh chains, tokens, hashing, shards.
        .target(name: "Engine", dependencies: ["WAL", "JSON", "Locking", "COpenSSL", "CSodium"]),

        // Log-shipping replication, pure core: wire codec, handshake, divergence rule and the
        // session / acknowledgement state machines (no I/O; knows nothing about auth).
        .target(
            name: "Replication",
            dependencies: [
                "WAL", "Locking", "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // An etcd v3 client over etcd's JSON gateway: leases, keys, transactions, watches
        // (knows nothing about auth, the WAL or replication).
        .target(
            name: "Etcd",
            dependencies: [
                "Locking",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // Leader choice on etcd, the Patroni way: the election and sync-set rules as state machines
        // and the coordinator that carries them out (knows nothing about auth or the WAL).
        .target(
            name: "Failover",
            dependencies: ["Etcd", "Locking", .product(name: "NIOCore", package: "swift-nio")]
        ),

        // The HTTP/1.1 server on SwiftNIO.
        .target(
            name: "HTTPFront",
            dependencies: [
                "Engine", "JSON", "Locking",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The OpenAPI document, kept as JSON (read once at start).
            resources: [.copy("openapi.json")]
        ),

        .executableTarget(
            name: "authd",
            dependencies: [
                "HTTPFront", "Engine", "WAL", "Replication", "Etcd", "Failover", "Locking",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        .executableTarget(
            name: "bench",
            dependencies: [
                "JSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "LockingTests", dependencies: ["Locking"]),
        .testTarget(name: "WALTests", dependencies: ["WAL", "Locking"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "FailoverTests", dependencies: ["Failover"]),
        .testTarget(
            name: "ReplicationTests",
            dependencies: ["Replication", "WAL", "Locking", .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "WAL", "Locking", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "HTTPFrontTests",
            dependencies: [
                "HTTPFront", "Engine", "JSON", "Locking",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "EtcdTests",
            dependencies: [
                "Etcd", "Locking",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "benchTests", dependencies: ["bench", "JSON"]),
        .testTarget(name: "EndToEndTests", dependencies: []),
    ],
    swiftLanguageModes: [.v6]
)
