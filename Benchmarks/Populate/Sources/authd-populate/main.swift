// authd-populate DIR USERS [SHARDS]
//
// Opens (or creates) DIR as `authd serve` opens its DATA_DIR (AuthEngine.open on the same
// layout: WAL segments, snapshots/), registers USERS users and logs each in once (one session
// each), `CONCURRENCY` requests in flight, then takes a snapshot and shuts down. The token
// secrets are ACCESS_TOKEN_SECRET and REFRESH_TOKEN_SECRET from the environment, used as their
// UTF-8 bytes as serve does, so pass the same two to `authd serve`. Passwords are hashed with
// Argon2id at its minimum cost (m=8 KiB, t=1, p=1): what is measured afterwards is replication
// and recovery, not hashing. Users are `pN@populate.example`, password `password1`.
import Engine
import Foundation
import WAL

func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

func fail(_ text: String) -> Never {
    FileHandle.standardError.write(Data((text + "\n").utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2, let users = Int(arguments[1].replacingOccurrences(of: "_", with: "")), users >= 0 else {
    fail("usage: authd-populate DIR USERS [SHARDS]   (ACCESS_TOKEN_SECRET and REFRESH_TOKEN_SECRET in the environment)")
}
let directory = arguments[0]
let environment = ProcessInfo.processInfo.environment
guard let access = environment["ACCESS_TOKEN_SECRET"], let refresh = environment["REFRESH_TOKEN_SECRET"] else {
    fail("set ACCESS_TOKEN_SECRET and REFRESH_TOKEN_SECRET (the ones authd serve will get)")
}
let concurrency = Int(environment["CONCURRENCY"] ?? "") ?? 64

var configuration = EngineConfiguration(dataDirectory: directory, accessTokenSecret: Array(access.utf8),
                                        refreshTokenSecret: Array(refresh.utf8))
if arguments.count > 2, let shards = Int(arguments[2]) { configuration.shardCount = shards }
configuration.argon2 = Argon2Parameters(memoryKiB: 8, iterations: 1, parallelism: 1)
// Written without waiting for each fdatasync; the snapshot below syncs what it reflects and
// shutdown flushes the rest.
configuration.durability = .interval(milliseconds: 200)
configuration.hashThreads = System.coreCount
configuration.hashQueueLimit = 1 << 20
configuration.snapshotEveryBytes = 0

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

let client = ClientInfo(userAgent: "authd-populate", ipAddress: "127.0.0.1")
let started = ContinuousClock.now
let engine: AuthEngine
do {
    engine = try await AuthEngine.open(configuration)
} catch {
    fail("cannot open \(directory): \(error)")
}
say("opened \(directory) (\(configuration.shardCount) shards) in \(String(format: "%.2f", seconds(since: started))) s")

let filled = ContinuousClock.now
do {
    let workers = max(1, min(concurrency, users))
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<workers {
            group.addTask {
                var i = worker
                while i < users {
                    let email = "p\(i)@populate.example"
                    _ = try await engine.register(name: .value("User \(i)"), email: .value(email), password: .value("password1"))
                    _ = try await engine.login(email: .value(email), password: .value("password1"), client: client)
                    if worker == 0, i % 100_000 < workers {
                        say("  \(i) users, \(String(format: "%.1f", seconds(since: filled))) s")
                    }
                    i += workers
                }
            }
        }
        try await group.waitForAll()
    }
} catch {
    fail("populating failed: \(error)")
}
let fillSeconds = seconds(since: filled)
say("\(users) users + \(users) sessions in \(String(format: "%.1f", fillSeconds)) s (\(Int(Double(users) / max(fillSeconds, 1e-9))) users/s)")

let snapping = ContinuousClock.now
do {
    let path = try await engine.snapshot()
    let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
    say("snapshot \(path): \(size) bytes in \(String(format: "%.2f", seconds(since: snapping))) s")
} catch {
    fail("snapshot failed: \(error)")
}
await engine.shutdown()
say("done in \(String(format: "%.1f", seconds(since: started))) s")
