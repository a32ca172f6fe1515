// One run of every engine workload in one process, with ContinuousClock and HdrHistogram,
// printing medians, the issue's targets and the ratios between workloads. Unlike the
// ordo-one benchmark executable it links no malloc interposer, so resident memory is the
// engine's own. Run from Benchmarks/:
//   swift run -c release engine-report              everything (scale scenarios at AUTHD_BENCH_USERS, default 1M)
//   swift run -c release engine-report micro        per-operation workloads and ratios only
//   swift run -c release engine-report memory 100000
//   swift run -c release engine-report restart 100000
//   swift run -c release engine-report durable
//   swift run -c release engine-report sessions 1000 200   users x login/logout cycles, retention sweep, restart
import AuthdBenchSupport
import Engine
import Foundation
import Histogram

/// Unbuffered, so progress shows when the output goes to a file.
func print(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first ?? "all"
let users = arguments.dropFirst().first.flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? Fixtures.scaleUsers
let rounds = Int(ProcessInfo.processInfo.environment["AUTHD_BENCH_ROUNDS"] ?? "") ?? 15

func nanoseconds(_ d: Duration) -> UInt64 {
    UInt64(d.components.seconds) * 1_000_000_000 + UInt64(d.components.attoseconds / 1_000_000_000)
}

func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

/// CPU time of the whole process (every thread), so contention from other processes on
/// the shared machine inflates it far less than wall-clock time.
func processCPU() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Per-operation times of one workload: each sample is one batch of `batch` operations.
struct Series {
    let name: String
    let batch: Int
    var wall = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    var cpu = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    mutating func record(_ elapsed: Duration, cpu cpuNanos: UInt64) {
        _ = wall.record(nanoseconds(elapsed))
        _ = cpu.record(cpuNanos)
    }
    /// Median wall-clock nanoseconds per operation.
    var median: Double { Double(wall.valueAtPercentile(50)) / Double(batch) }
    var p90: Double { Double(wall.valueAtPercentile(90)) / Double(batch) }
    var minimum: Double { Double(wall.min) / Double(batch) }
    /// Median process CPU nanoseconds per operation (all threads).
    var cpuMedian: Double { Double(cpu.valueAtPercentile(50)) / Double(batch) }
}

/// Measures `batch` runs of `body` into `series` unless `keep` is false (warm-up).
func measure(_ series: inout Series, keep: Bool, _ body: () async throws -> Void) async rethrows {
    let cpu0 = processCPU()
    let t0 = ContinuousClock.now
    for _ in 0..<series.batch { try await body() }
    let elapsed = ContinuousClock.now - t0
    let cpu = processCPU() - cpu0
    if keep { series.record(elapsed, cpu: cpu) }
}

/// Measures one batch run by `body` (which gets the batch size) into `series`.
func measureBatch(_ series: inout Series, keep: Bool, _ body: (Int) async -> Void) async {
    let cpu0 = processCPU()
    let t0 = ContinuousClock.now
    await body(series.batch)
    let elapsed = ContinuousClock.now - t0
    let cpu = processCPU() - cpu0
    if keep { series.record(elapsed, cpu: cpu) }
}

func padded(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }

func line(_ s: Series) {
    print(padded("  " + s.name, 48) + String(format: "median %8.0f ns/op  min %8.0f  p90 %8.0f  cpu(median) %8.0f ns/op  (%llu x %d)",
                 s.median, s.minimum, s.p90, s.cpuMedian, s.wall.totalCount, s.batch))
}

func verdict(_ met: Bool) -> String { met ? "MET" : "NOT MET" }

// MARK: Micro: crypto floor next to engine operations, interleaved round by round

func runMicro() async throws {
    print("== per-operation workloads (in-memory engine, trivial hasher: Argon2id m=8 KiB t=1 p=1; 4 shards) ==")
    let floor = CryptoFloor()
    print("  JWT signing input used by the crypto floor: \(floor.signingInput.count) bytes")

    let refreshEngine = Fixtures.inMemoryEngine()
    let chains = try await RefreshChains(engine: refreshEngine, chains: 1)
    let meEngine = Fixtures.inMemoryEngine()
    let access = try await Fixtures.registerAndLogin(meEngine, 0).accessToken
    let loginEngine = Fixtures.inMemoryEngine()
    let loginUsers = 1_000
    try await Fixtures.populate(loginEngine, count: loginUsers, withSessions: false)
    let registerEngine = Fixtures.inMemoryEngine()
    print("  engine refresh token length: \(chains.tokens[0].utf8.count) bytes; access token: \(access.utf8.count) bytes")

    var floorSeries = Series(name: "crypto floor (verify + 2 signs + 32 random)", batch: 20_000)
    var verifySeries = Series(name: "one HMAC verify", batch: 20_000)
    var refreshSeries = Series(name: "engine refresh", batch: 2_000)
    var meSeries = Series(name: "engine authenticate (me)", batch: 2_000)
    var loginSeries = Series(name: "engine login (trivial hasher)", batch: 500)
    var registerSeries = Series(name: "engine register (trivial hasher)", batch: 500)
    let onShard = try await OnShardPath()
    var refreshOnShard = Series(name: "engine refresh (on its shard, no hop)", batch: 2_000)
    var meOnShard = Series(name: "engine me (on its shard, no hop)", batch: 2_000)
    var loginNext = 0
    var registerNext = 0
    var sink: UInt8 = 0
    for round in 0...rounds {
        // Round 0 is warm-up and is not recorded.
        let keep = round > 0
        await measure(&floorSeries, keep: keep) { sink ^= floor.refreshFloor() }
        await measure(&verifySeries, keep: keep) { sink ^= floor.verify() ? 1 : 0 }
        try await measure(&refreshSeries, keep: keep) { try await chains.rotateOne() }
        try await measure(&meSeries, keep: keep) { _ = try await meEngine.me(accessToken: access) }
        await measureBatch(&refreshOnShard, keep: keep) { count in
            let done = await onShard.refresh(count)
            precondition(done == count, "on-shard refresh failed")
        }
        await measureBatch(&meOnShard, keep: keep) { count in
            let done = await onShard.me(count)
            precondition(done == count, "on-shard me failed")
        }
        try await measure(&loginSeries, keep: keep) {
            _ = try await Fixtures.login(loginEngine, loginNext % loginUsers)
            loginNext += 1
        }
        try await measure(&registerSeries, keep: keep) {
            try await Fixtures.register(registerEngine, registerNext, tag: "reg")
            registerNext += 1
        }
    }
    if sink == 0xFF && rounds < 0 { print("\(sink)") }
    for s in [floorSeries, verifySeries, refreshSeries, meSeries, refreshOnShard, meOnShard, loginSeries, registerSeries] { line(s) }

    func ratio(_ label: String, _ a: Series, _ b: Series, target: Double?) {
        let median = a.median / b.median, minimum = a.minimum / b.minimum, cpu = a.cpuMedian / b.cpuMedian
        var text = padded("  " + label, 40) + String(format: "median %6.2fx   min %6.2fx   cpu %6.2fx", median, minimum, cpu)
        if let target { text += String(format: "   (target <= %.0fx on medians: %@)", target, verdict(median <= target) as NSString) }
        print(text)
    }
    print("== ratios (same run, workloads interleaved round by round) ==")
    ratio("refresh on its shard / crypto floor", refreshOnShard, floorSeries, target: 3)
    ratio("me on its shard / one HMAC verify", meOnShard, verifySeries, target: 3)
    ratio("refresh via async API / crypto floor", refreshSeries, floorSeries, target: nil)
    ratio("me via async API / one HMAC verify", meSeries, verifySeries, target: nil)
    ratio("login (trivial hasher) / crypto floor", loginSeries, floorSeries, target: nil)
    ratio("register (trivial hasher) / floor", registerSeries, floorSeries, target: nil)

    for engine in [refreshEngine, meEngine, loginEngine, registerEngine] { await engine.shutdown() }
    await onShard.shutdown()
}

// MARK: Durable refresh, group commit

func runDurable() async throws {
    print("== durable refresh (AuthEngine.open, durability .always, 64 concurrent chains) ==")
    let directory = Fixtures.temporaryDirectory("durable")
    defer { Fixtures.remove(directory) }
    let engine = try await AuthEngine.open(Fixtures.configuration(directory: directory, durability: .always))
    let chains = try await RefreshChains(engine: engine, chains: 64)
    for _ in 0..<10 { try await chains.rotateAll() }
    let before = await engine.statistics()
    var series = Series(name: "durable refresh (per op, 64 in flight)", batch: 64 * 50)
    for _ in 0..<max(3, rounds / 3) {
        let cpu0 = processCPU()
        let t = ContinuousClock.now
        for _ in 0..<50 { try await chains.rotateAll() }
        series.record(ContinuousClock.now - t, cpu: processCPU() - cpu0)
    }
    let after = await engine.statistics()
    line(series)
    let fsyncs = after.walFsyncs - before.walFsyncs
    let records = after.walRecords - before.walRecords
    print(String(format: "  throughput %.0f refreshes/s; %llu fsyncs for %llu records (%.1f records per fsync)",
                 1e9 / series.median, fsyncs, records, Double(records) / Double(max(1, fsyncs))))
    await engine.shutdown()
}

// MARK: Scale

func runMemory() async throws {
    print("== memory: \(users) users + \(users) sessions (in-memory engine, trivial hasher) ==")
    let (report, engine) = try await runMemoryScenario(users: users) { i in print("  ... \(i)") }
    print("  populated \(report.users) users, \(report.sessions) active sessions in \(String(format: "%.1f", report.populateSeconds)) s")
    print("  resident before \(mib(report.residentBefore)), after \(mib(report.residentAfter)), peak \(mib(report.peakResident))")
    print(String(format: "  %.0f bytes resident per user+session", report.bytesPerUser))
    let projected = Double(report.residentBefore) + report.bytesPerUser * 1_000_000
    print("  resident for 1M users + 1M sessions: \(users == 1_000_000 ? mib(report.residentAfter) : "projected " + mib(Int(projected)))"
          + " (target <= 1 GiB: \(verdict((users == 1_000_000 ? Double(report.residentAfter) : projected) <= 1_073_741_824)))")
    await engine.shutdown()
}

func runRestart() async throws {
    print("== restart: \(users) users + \(users) sessions, snapshot + 1000-record WAL tail (durability .none) ==")
    let r = try await runRestartScenario(users: users, tail: 1000) { i in print("  ... \(i)") }
    print("  populated in \(String(format: "%.1f", r.populateSeconds)) s; snapshot \(String(format: "%.2f", r.snapshotSeconds)) s, \(mib(r.snapshotBytes)); WAL on disk \(mib(r.walBytes))")
    print("  AuthEngine.open to ready: \(String(format: "%.3f", r.openSeconds)) s (target <= 5 s: \(verdict(r.openSeconds <= 5)))"
          + "; recovered \(r.usersAfterOpen) users, \(r.sessionsAfterOpen) active sessions")
}

// MARK: Session retention: churn, sweep, restart

func runSessions() async throws {
    let churnUsers = arguments.dropFirst().first.flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? 1_000
    let cycles = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 200
    print("== sessions: \(churnUsers) users x \(cycles) login + logout, retention 60 s of engine time, sweep every 200 ms (durable engine, durability .none) ==")
    // As `authd serve` does at start, unless AUTHD_BENCH_DYNAMIC_MMAP is set (glibc's default, for comparison).
    let fixed = ProcessInfo.processInfo.environment["AUTHD_BENCH_DYNAMIC_MMAP"] == nil && ProcessAllocator.keepLargeBlocksReturnable()
    print("  allocator: glibc mmap threshold \(fixed ? "fixed at 128 KiB (as authd serve)" : "dynamic (glibc default)")")
    let r = try await runSessionChurn(users: churnUsers, cycles: cycles) { print("  ... \($0)") }
    defer { Fixtures.remove(r.directory) }
    func memory(_ m: SessionChurnReport.Memory) -> String { "RSS \(mib(m.resident)) (anonymous \(mib(m.anonymous)))" }
    print("  baseline (users registered, no session): \(r.baselineSessions) sessions resident, \(memory(r.baselineMemory))")
    print(String(format: "  after the churn (%.1f s, %d logins + %d logouts): %d sessions resident (all ended), %@",
                 r.churnSeconds, r.users * r.cycles, r.users * r.cycles, r.churnedSessions, memory(r.churnedMemory) as NSString))
    print(String(format: "  after the sweep (clock past the retention; all purged %.2f s later): %d sessions resident, %d purged, %@",
                 r.sweepSeconds, r.sweptSessions, r.purged, memory(r.sweptMemory) as NSString))
    print("  after malloc_trim(0) (what the allocator kept for reuse, returned): \(memory(r.trimmedMemory))")
    print("  WAL on disk: \(mib(r.walBytes))")
    for (label, snapshot) in [("restart 1 (WAL replay of every login, logout and purge; then a snapshot)", true),
                              ("restart 2 (from that snapshot)", false)] {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = ["sessions-reopen", r.directory, snapshot ? "snapshot" : "-"]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        print("  \(label), a fresh process: " + output.split(separator: "\n").last.map(String.init)!)
    }
}

/// The child of `sessions`: one reopen of the churned directory, one line of figures.
func runSessionsReopen() async throws {
    if ProcessInfo.processInfo.environment["AUTHD_BENCH_DYNAMIC_MMAP"] == nil { ProcessAllocator.keepLargeBlocksReturnable() }
    let directory = arguments.dropFirst().first!
    let reopened = try await SessionChurn.reopen(directory: directory, snapshot: arguments.dropFirst(2).first == "snapshot")
    print(String(format: "%d sessions resident, %d users, RSS %@ (anonymous %@), open %.2f s (%d records replayed%@)",
                 reopened.sessions, reopened.users, mib(reopened.resident) as NSString, mib(reopened.anonymous) as NSString,
                 reopened.openSeconds, reopened.replayedRecords,
                 reopened.fromSnapshot ? " after the snapshot" : ""))
}

/// Set-up, then `count` operations of one workload and nothing else (profilers).
func runProfile(_ what: String, count: Int) async throws {
    let engine = Fixtures.inMemoryEngine()
    let grant = try await Fixtures.registerAndLogin(engine, 0)
    let floor = CryptoFloor()
    var sink: UInt8 = 0
    switch what {
    case "refresh":
        var token = grant.refreshToken
        for _ in 0..<count { token = try await engine.refresh(refreshToken: .value(token), client: Fixtures.client).refreshToken }
    case "me":
        for _ in 0..<count { _ = try await engine.me(accessToken: grant.accessToken) }
    case "login":
        for _ in 0..<count { _ = try await Fixtures.login(engine, 0) }
    case "floor":
        for _ in 0..<count { sink ^= floor.refreshFloor() }
    case "verify":
        for _ in 0..<count { sink ^= floor.verify() ? 1 : 0 }
    default:
        print("profile what: refresh | me | login | floor | verify")
    }
    print("profiled \(count) x \(what) \(sink == 0xFF ? "" : "")")
    await engine.shutdown()
}

if mode != "sessions-reopen" { print("authd engine-report  cores=\(System.coreCount)  rounds=\(rounds)  users=\(users)") }
switch mode {
case "micro": try await runMicro()
case "durable": try await runDurable()
case "memory": try await runMemory()
case "restart": try await runRestart()
case "sessions": try await runSessions()
case "sessions-reopen": try await runSessionsReopen()
case "argon2":
    // The login bound: Argon2id at the default cost through the engine's own hasher, one core.
    let count = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 40 : 40
    let hasher = PasswordHasher(parameters: Argon2Parameters())
    let phc = hasher.hash("correct horse battery")
    let t0 = ContinuousClock.now
    var matched = 0
    for _ in 0..<count where hasher.verify("correct horse battery", against: phc) { matched += 1 }
    let elapsed = ContinuousClock.now - t0
    let perHash = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print(String(format: "argon2id m=19456 KiB t=2 p=1 (libsodium via PasswordHasher): %.1f ms per verify, %.1f per second per core, bound %.1f logins/s on %d cores (%d/%d verified)",
                 perHash / Double(count) * 1000, Double(count) / perHash, Double(count) / perHash * Double(cores), cores, matched, count))
case "profile":
    // For perf / valgrind --tool=callgrind: set-up, then `count` operations of one workload.
    let what = arguments.dropFirst().first ?? "refresh"
    let count = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 20_000
    try await runProfile(what, count: count)
case "all":
    try await runMemory()
    try await runRestart()
    try await runMicro()
    try await runDurable()
default:
    print("usage: engine-report [all|micro|durable|memory|restart] [users] | sessions [users] [cycles] | profile refresh|me|login|floor|verify [count]")
    exit(2)
}
