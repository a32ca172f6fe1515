import NIOCore
import NIOPosix

/// Runs one scenario against one target with one plan: connect every connection,
/// run the setup, run the load (warmup, window, drain), and merge the figures.
///
/// Connections are spread round robin over `plan.threads` event loops of the
/// generator's own `MultiThreadedEventLoopGroup`; each loop keeps its own
/// statistics, merged once at the end, so the load loop shares nothing.
struct LoadRunner: Sendable {
    let scenario: any Scenario
    let connector: Connector
    let encoder: RequestEncoder
    let targetDescription: String
    let plan: LoadPlan
    var showProgress = false

    /// The longest a run that ends by itself (the seed profile) may last.
    static let selfEndingLimit: Double = 600

    func run() async throws(BenchError) -> RunResult {
        try plan.validate()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: plan.threads)
        let result: Result<RunResult, BenchError>
        do {
            result = .success(try await runOn(group))
        } catch let error as BenchError {
            result = .failure(error)
        } catch {
            result = .failure(.connectFailed("\(error)"))
        }
        try? await group.shutdownGracefully()
        return try result.get()
    }

    private func runOn(_ group: MultiThreadedEventLoopGroup) async throws -> RunResult {
        let loops = Array(group.makeIterator())
        let scenario = self.scenario, encoder = self.encoder, connector = self.connector
        let endpoints = scenario.endpoints, checkNames = scenario.checkNames
        let timeoutNs = UInt64(plan.timeout * 1e9)

        var states: [NIOLoopBound<LoopState>] = []
        for loop in loops {
            states.append(try await loop.submit {
                NIOLoopBound(LoopState(loop: loop, endpoints: endpoints, checkNames: checkNames, timeoutNanoseconds: timeoutNs), eventLoop: loop)
            }.get())
        }
        defer {
            for (i, state) in states.enumerated() { loops[i].execute { state.value.shutdown() } }
        }

        // Connect.
        var connects: [EventLoopFuture<Void>] = []
        for c in 0..<plan.connections {
            let i = c % loops.count
            let state = states[i]
            connects.append(loops[i].flatSubmit {
                let s = state.value
                let driver = ConnectionDriver(id: c, loop: s.loop, connector: connector,
                                              user: scenario.makeUser(connection: c, encoder: encoder), state: s)
                s.drivers.append(driver)
                return driver.connect()
            })
        }
        do { try await EventLoopFuture.andAllSucceed(connects, on: loops[0]).get() }
        catch { throw BenchError.connectFailed("\(connector.address): \(error)") }
        for (i, state) in states.enumerated() { loops[i].execute { state.value.startWatchdog() } }

        // Setup (not measured).
        let setups = states.enumerated().map { i, state in
            loops[i].flatSubmit { EventLoopFuture.andAllSucceed(state.value.drivers.map { $0.beginSetup() }, on: state.value.loop) }
        }
        let setupDone = loops[0].makePromise(of: Void.self)
        EventLoopFuture.andAllSucceed(setups, on: loops[0]).cascade(to: setupDone)
        let limit = plan.setupTimeout
        let guardTask = loops[0].scheduleTask(in: .nanoseconds(Int64(limit * 1e9))) {
            setupDone.fail(BenchError.setupFailed("not done within \(limit) s"))
        }
        try await setupDone.futureResult.get()
        guardTask.cancel()

        // Load.
        let start = ConnectionDriver.now() + 20_000_000
        let measureStart = start + UInt64(plan.warmup * 1e9)
        let span = scenario.endsByItself ? Self.selfEndingLimit : plan.duration
        let window = RunWindow(
            loadStart: start, measureStart: measureStart, stop: measureStart + UInt64(span * 1e9),
            schedule: plan.rate.map { OpenLoopSchedule(start: start, rate: $0, connections: plan.connections) })
        let processCPUStart = CPUClock.process()
        let loads = states.enumerated().map { i, state in loops[i].flatSubmit { state.value.beginLoad(window) } }
        let progress = showProgress ? startProgress(loops: loops, states: states, window: window) : nil
        try await EventLoopFuture.andAllSucceed(loads, on: loops[0]).get()
        let end = ConnectionDriver.now()
        progress?.cancel()
        if showProgress { ProgressLine.clear() }
        let processCPU = CPUClock.process() - processCPUStart

        // Collect.
        var stats = LoadStats(endpoints: endpoints, checkNames: checkNames)
        var generatorCPU = 0.0
        var lastCompletion: UInt64 = 0
        for (i, state) in states.enumerated() {
            let (s, cpu, last) = try await loops[i].submit {
                let v = state.value
                return (v.stats, CPUClock.thread() - v.cpuAtStart, v.lastCompletion)
            }.get()
            stats.merge(s)
            generatorCPU += cpu
            lastCompletion = max(lastCompletion, last)
        }
        let measured = scenario.endsByItself
            ? Double(max(lastCompletion, measureStart + 1) - measureStart) / 1e9
            : plan.duration
        let wall = Double(end - start) / 1e9
        return makeResult(stats: stats, measured: measured, wall: wall, generatorCPU: generatorCPU, processCPU: processCPU)
    }

    private func startProgress(loops: [any EventLoop], states: [NIOLoopBound<LoopState>], window: RunWindow) -> Task<Void, Never> {
        let name = scenario.name
        let total = scenario.endsByItself ? nil : Double(window.stop - window.loadStart) / 1e9
        return Task {
            var previous = 0
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                if Task.isCancelled { break }
                var answers = 0
                for (i, state) in states.enumerated() {
                    answers += (try? await loops[i].submit { state.value.stats.answersAllPhases }.get()) ?? 0
                }
                let elapsed = Double(ConnectionDriver.now() &- window.loadStart) / 1e9
                ProgressLine.show(scenario: name, elapsed: elapsed, total: total, answers: answers, perSecond: answers - previous)
                previous = answers
            }
        }
    }

    private func makeResult(stats: LoadStats, measured: Double, wall: Double, generatorCPU: Double, processCPU: Double) -> RunResult {
        let endpointResults = stats.endpoints.indices.map { i in
            EndpointResult(name: stats.endpoints[i], requests: stats.completed[i],
                           requestsPerSecond: Double(stats.completed[i]) / measured,
                           latency: LatencySummary(stats.histograms[i]))
        }
        var errors: [String: Int] = [:]
        for kind in ErrorKind.allCases { errors[kind.label] = stats.errors[kind.rawValue] }
        var statuses: [String: Int] = [:]
        for (k, v) in stats.unexpectedStatuses { statuses[String(k)] = v }
        let checks = stats.checks.names.indices.map { i in
            CheckResult(name: stats.checks.names[i], passes: stats.checks.passes[i], fails: stats.checks.fails[i],
                        passRate: stats.checks.passRate(i))
        }
        return RunResult(
            scenario: scenario.name, target: targetDescription, plan: plan,
            mode: plan.rate == nil ? "closed" : "open",
            measuredSeconds: measured, wallSeconds: wall,
            requests: stats.totalCompleted, requestsPerSecond: Double(stats.totalCompleted) / measured,
            latency: LatencySummary(stats.combinedHistogram), endpoints: endpointResults,
            errors: errors, unexpectedStatuses: statuses, checks: checks, checksPassRate: stats.checks.passRate,
            unsent: stats.unsent, setupRequests: stats.setupRequests,
            loadAnswers: stats.answersAllPhases - stats.setupRequests,
            generatorCPUSeconds: generatorCPU, generatorCPUPercent: 100 * generatorCPU / wall,
            generatorSaturationPercent: 100 * generatorCPU / (wall * Double(plan.threads)),
            processCPUSeconds: processCPU, cores: System.coreCount)
    }
}
