// authd engine micro-benchmarks (ordo-one/benchmark). Run from Benchmarks/:
//   swift package benchmark
//   swift package benchmark --filter "engine refresh"
//   AUTHD_BENCH_USERS=100000 swift package benchmark --filter "memory|restart"
// The target ratios (refresh / crypto floor, authenticate / HMAC verify) are printed by
// `swift run -c release engine-report`, which measures the same workloads in one process.

import AuthdBenchSupport
@preconcurrency import Benchmark
import Engine
import Foundation
import WAL

/// State that lives across the iterations of one benchmark.
private final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

let benchmarks: @Sendable () -> Void = {
    let perOperation = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )

    let oneShot = { (metrics: [BenchmarkMetric]) in
        Benchmark.Configuration(metrics: [.wallClock, .peakMemoryResident] + metrics, timeUnits: .milliseconds,
                                warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(600), maxIterations: 1)
    }

    let residentMiB = BenchmarkMetric.custom("resident after (MiB)", polarity: .prefersSmaller, useScalingFactor: false)
    let residentDeltaMiB = BenchmarkMetric.custom("resident added (MiB)", polarity: .prefersSmaller, useScalingFactor: false)
    let bytesPerUser = BenchmarkMetric.custom("bytes per user+session", polarity: .prefersSmaller, useScalingFactor: false)
    let openMillis = BenchmarkMetric.custom("open to ready (ms)", polarity: .prefersSmaller, useScalingFactor: false)
    let snapshotMillis = BenchmarkMetric.custom("snapshot (ms)", polarity: .prefersSmaller, useScalingFactor: false)
    let snapshotKiB = BenchmarkMetric.custom("snapshot size (KiB)", polarity: .prefersSmaller, useScalingFactor: false)

    // MARK: Crypto floor

    Benchmark("crypto floor (1 HMAC verify + 2 HMAC signs + 32 random bytes)", configuration: perOperation) { benchmark, floor in
        for _ in benchmark.scaledIterations { blackHole(floor.refreshFloor()) }
    } setup: {
        CryptoFloor()
    }

    Benchmark("one HMAC verify", configuration: perOperation) { benchmark, floor in
        for _ in benchmark.scaledIterations { blackHole(floor.verify()) }
    } setup: {
        CryptoFloor()
    }

    // MARK: Engine, in memory, trivial hasher

    Benchmark("engine refresh", configuration: perOperation) { benchmark, chains in
        for _ in benchmark.scaledIterations { try await chains.rotateOne() }
    } setup: {
        try await RefreshChains(engine: Fixtures.inMemoryEngine(), chains: 1)
    }

    let meEngine = Box<(AuthEngine, String)?>(nil)
    Benchmark("engine authenticate (me)", configuration: perOperation) { benchmark in
        let (engine, token) = meEngine.value!
        for _ in benchmark.scaledIterations { blackHole(try await engine.me(accessToken: token)) }
    } setup: {
        let engine = Fixtures.inMemoryEngine()
        meEngine.value = (engine, try await Fixtures.registerAndLogin(engine, 0).accessToken)
    } teardown: {
        await meEngine.value?.0.shutdown()
        meEngine.value = nil
    }

    let loginEngine = Box<AuthEngine?>(nil)
    let loginUsers = 1_000
    let loginNext = Box(0)
    Benchmark("engine login (trivial hasher)", configuration: perOperation) { benchmark in
        let engine = loginEngine.value!
        for _ in benchmark.scaledIterations {
            blackHole(try await Fixtures.login(engine, loginNext.value % loginUsers))
            loginNext.value &+= 1
        }
    } setup: {
        let engine = Fixtures.inMemoryEngine()
        try await Fixtures.populate(engine, count: loginUsers, withSessions: false)
        loginEngine.value = engine
    } teardown: {
        await loginEngine.value?.shutdown()
        loginEngine.value = nil
    }

    let registerEngine = Box<AuthEngine?>(nil)
    let registerNext = Box(0)
    Benchmark("engine register (trivial hasher)", configuration: perOperation) { benchmark in
        let engine = registerEngine.value!
        for _ in benchmark.scaledIterations {
            blackHole(try await Fixtures.register(engine, registerNext.value, tag: "reg"))
            registerNext.value += 1
        }
    } setup: {
        registerEngine.value = Fixtures.inMemoryEngine()
    } teardown: {
        await registerEngine.value?.shutdown()
        registerEngine.value = nil
    }

    // MARK: Durable refresh with group commit

    let durable = Box<(RefreshChains, String)?>(nil)
    let chainCount = 64
    Benchmark("engine refresh durable always (64 concurrent chains; time per 64 refreshes)",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .throughput], timeUnits: .microseconds,
                                   warmupIterations: 5, scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 2_000)) { benchmark in
        let chains = durable.value!.0
        for _ in benchmark.scaledIterations { try await chains.rotateAll() }
    } setup: {
        let directory = Fixtures.temporaryDirectory("durable")
        let engine = try await AuthEngine.open(Fixtures.configuration(directory: directory, durability: .always))
        durable.value = (try await RefreshChains(engine: engine, chains: chainCount), directory)
    } teardown: {
        if let (chains, directory) = durable.value {
            await chains.engine.shutdown()
            Fixtures.remove(directory)
        }
        durable.value = nil
    }

    // MARK: Scale (AUTHD_BENCH_USERS, default 1,000,000)

    let users = Fixtures.scaleUsers
    Benchmark("memory \(users) users + \(users) sessions",
              configuration: oneShot([residentMiB, residentDeltaMiB, bytesPerUser])) { benchmark in
        let (report, engine) = try await runMemoryScenario(users: users)
        benchmark.measurement(residentMiB, report.residentAfter >> 20)
        benchmark.measurement(residentDeltaMiB, (report.residentAfter - report.residentBefore) >> 20)
        benchmark.measurement(bytesPerUser, Int(report.bytesPerUser))
        await engine.shutdown()
    }

    Benchmark("restart \(users) users + \(users) sessions (snapshot + 1000-record WAL tail)",
              configuration: oneShot([openMillis, snapshotMillis, snapshotKiB])) { benchmark in
        let report = try await runRestartScenario(users: users)
        benchmark.measurement(openMillis, Int(report.openSeconds * 1000))
        benchmark.measurement(snapshotMillis, Int(report.snapshotSeconds * 1000))
        benchmark.measurement(snapshotKiB, report.snapshotBytes >> 10)
    }
}
