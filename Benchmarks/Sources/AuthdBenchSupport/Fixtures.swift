import Engine
import Foundation
import WAL

/// Engine set-ups shared by every benchmark.
public enum Fixtures {
    public static let client = ClientInfo(userAgent: "bench", ipAddress: "127.0.0.1")
    public static let password = "password1"

    /// An engine configuration with the trivial test hasher (Argon2id m=8 KiB, t=1, p=1: the
    /// minimum cost, so what is measured is engine overhead), no automatic snapshots, and a
    /// hash queue deep enough that concurrent set-up never sheds.
    public static func configuration(directory: String = "/nonexistent-in-memory",
                                     durability: Durability = .none,
                                     shards: Int = 4) -> EngineConfiguration {
        var c = EngineConfiguration(dataDirectory: directory,
                                    accessTokenSecret: Array(repeating: 0xA5, count: 32),
                                    refreshTokenSecret: Array(repeating: 0x5A, count: 32))
        c.shardCount = shards
        c.argon2 = Argon2Parameters(memoryKiB: 8, iterations: 1, parallelism: 1)
        c.durability = durability
        c.hashThreads = System.coreCount
        c.hashQueueLimit = 1 << 20
        c.snapshotEveryBytes = 0
        // AUTHD_BENCH_ALGORITHM=EdDSA|ES256 signs access tokens asymmetrically (default HS256).
        if let name = ProcessInfo.processInfo.environment["AUTHD_BENCH_ALGORITHM"], let algorithm = SigningAlgorithm(name: name) {
            c.accessTokenAlgorithm = algorithm
        }
        return c
    }

    public static func inMemoryEngine(shards: Int = 4) -> AuthEngine {
        AuthEngine.inMemory(configuration(shards: shards))
    }

    public static func email(_ index: Int, tag: String = "u") -> String { "\(tag)\(index)@bench.example" }

    @discardableResult
    public static func register(_ engine: AuthEngine, _ index: Int, tag: String = "u") async throws -> UserView {
        try await engine.register(name: .value("User \(index)"), email: .value(email(index, tag: tag)), password: .value(password))
    }

    public static func login(_ engine: AuthEngine, _ index: Int, tag: String = "u") async throws -> TokenGrant {
        try await engine.login(email: .value(email(index, tag: tag)), password: .value(password), client: client)
    }

    /// Registers user `index` and opens one session for it.
    public static func registerAndLogin(_ engine: AuthEngine, _ index: Int, tag: String = "u") async throws -> TokenGrant {
        try await register(engine, index, tag: tag)
        return try await login(engine, index, tag: tag)
    }

    /// Registers `count` users starting at `first` and logs each in once, `concurrency`
    /// requests in flight (so both cores and every shard are busy).
    public static func populate(_ engine: AuthEngine, first: Int = 0, count: Int, tag: String = "u",
                                withSessions: Bool = true, concurrency: Int = 64,
                                progress: (@Sendable (Int) -> Void)? = nil) async throws {
        let workers = max(1, min(concurrency, count))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var i = worker
                    while i < count {
                        if withSessions {
                            _ = try await registerAndLogin(engine, first + i, tag: tag)
                        } else {
                            try await register(engine, first + i, tag: tag)
                        }
                        if worker == 0, let progress, i % 100_000 < workers { progress(i) }
                        i += workers
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// A fresh empty directory under the temporary directory.
    public static func temporaryDirectory(_ label: String) -> String {
        let base = ProcessInfo.processInfo.environment["AUTHD_BENCH_TMPDIR"] ?? NSTemporaryDirectory()
        let path = (base as NSString).appendingPathComponent("authd-bench-\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    public static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// Total size of the regular files under `path` (or of `path` itself).
    public static func bytes(at path: String) -> Int {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
        if !isDirectory.boolValue { return ((try? fm.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0 }
        var total = 0
        for case let name as String in fm.enumerator(atPath: path) ?? FileManager.DirectoryEnumerator() {
            total += bytes(at: (path as NSString).appendingPathComponent(name))
        }
        return total
    }

    /// Users for the scale scenarios: `AUTHD_BENCH_USERS` (default 1,000,000).
    public static var scaleUsers: Int {
        ProcessInfo.processInfo.environment["AUTHD_BENCH_USERS"].flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? 1_000_000
    }
}

/// Resident memory of this process.
public enum ProcessMemory {
    /// Resident set size in bytes, from /proc/self/statm (Linux).
    public static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Anonymous resident memory in bytes (RssAnon: heap, stacks; not the pages of mapped
    /// libraries and executables, which grow as code paths are first run), from /proc/self/status.
    public static func anonymousResidentBytes() -> Int { statusKiB("RssAnon:") * 1024 }

    private static func statusKiB(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        }
        return 0
    }

    /// Peak resident set size in bytes (VmHWM), from /proc/self/status.
    public static func peakResidentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kib * 1024
        }
        return 0
    }
}
