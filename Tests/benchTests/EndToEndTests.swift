import Testing
@testable import bench

/// Short real runs over TCP on 127.0.0.1: the ceiling, and scenarios against the
/// in-test fake. Bounded well under 5 s; no timing assertions.
@Suite(.serialized) struct EndToEndTests {
    static func plan(connections: Int = 4, duration: Double = 0.3, rate: Double? = nil, codec: ClientCodec = .raw) -> LoadPlan {
        LoadPlan(connections: connections, threads: 1, duration: duration, warmup: 0.05, rate: rate, timeout: 2, setupTimeout: 5, codec: codec)
    }

    func run(_ scenario: any Scenario, on server: HTTPTestServer, plan: LoadPlan) async throws -> RunResult {
        let target = Target(host: "127.0.0.1", port: server.port, basePath: "")
        return try await LoadRunner(scenario: scenario, connector: try target.connector(codec: plan.codec), encoder: target.encoder,
                                    targetDescription: target.description, plan: plan).run()
    }

    @Test(arguments: ClientCodec.allCases)
    func ceilingClosedLoop(codec: ClientCodec) async throws {
        let server = try await HTTPTestServer.start(.hello, threads: 1)
        let result = try await Ceiling.run(server: server, plan: Self.plan(codec: codec), showProgress: false)
        await server.stop()
        #expect(result.requests > 0)
        #expect(result.totalErrors == 0)
        #expect(result.checks.count == 1 && result.checks[0].fails == 0 && result.checks[0].passes >= result.requests)
        #expect(result.latency.count >= result.requests)
        #expect(result.latency.p50Ms > 0 && result.latency.p50Ms <= result.latency.p99Ms && result.latency.p99Ms <= result.latency.maxMs)
        #expect(result.mode == "closed")
    }

    /// Open loop never sends more than its schedule allows (a closed loop on the
    /// same server sends far more in the same time).
    @Test func ceilingOpenLoopKeepsToTheSchedule() async throws {
        let server = try await HTTPTestServer.start(.hello, threads: 1)
        let plan = Self.plan(connections: 4, duration: 0.5, rate: 100)
        let result = try await Ceiling.run(server: server, plan: plan, showProgress: false)
        await server.stop()
        #expect(result.mode == "open")
        // Due inside the 0.5 s window at 100/s: 50 (+ at most one per connection at the edges).
        #expect(result.latency.count <= 50 + 4)
        #expect(result.latency.count > 0)
        #expect(result.totalErrors == 0)
        // Sent and unsent together are the slots due in the window: never more (whether a
        // loaded machine falls behind 100/s is timing, not what this test checks).
        #expect(result.latency.count + result.unsent <= 50 + 4)
    }

    @Test(arguments: ClientCodec.allCases)
    func refreshScenarioRotatesEveryChain(codec: ClientCodec) async throws {
        let fake = FakeAuthServer()
        let server = try await HTTPTestServer.start(.routes(fake.respond), threads: 1)
        let result = try await run(RefreshScenario(tag: "t1"), on: server, plan: Self.plan(codec: codec))
        await server.stop()
        #expect(fake.hitCount("POST /v1/auth/register") == 4)
        #expect(fake.hitCount("POST /v1/auth/sessions") == 4, "only setup logins: no chain broke")
        #expect(result.setupRequests == 8)
        let refresh = try #require(result.endpoints.first { $0.name == "refresh" })
        #expect(refresh.requests > 0)
        #expect(result.totalErrors == 0)
        #expect(result.checks.allSatisfy { $0.fails == 0 })
        #expect(result.checks.first { $0.name == "refresh token rotated" }!.passes > 0)
        // The generator's CPU is divided by the answers of the load phase it was measured over:
        // the window's answers and more (warmup), never the setup's register and login answers.
        #expect(result.loadAnswers >= refresh.requests)
        #expect(result.loadAnswers <= fake.hitCount("POST /v1/auth/tokens/refresh"))
        #expect(result.generatorCPUPerRequest == result.generatorCPUSeconds / Double(result.loadAnswers))
    }

    @Test func meScenarioCountsUnexpectedStatuses() async throws {
        let fake = FakeAuthServer(meStatus: 503)
        let server = try await HTTPTestServer.start(.routes(fake.respond), threads: 1)
        let result = try await run(MeScenario(tag: "t2"), on: server, plan: Self.plan(connections: 2))
        await server.stop()
        #expect(result.requests > 0)
        #expect(result.errors["status"] == result.latency.count)
        #expect(result.unexpectedStatuses["503"] == result.latency.count)
        #expect(result.checks[0].passes == 0 && result.checks[0].fails > 0)
    }

    @Test func mixedScenarioSendsEveryOperation() async throws {
        let fake = FakeAuthServer()
        let server = try await HTTPTestServer.start(.routes(fake.respond), threads: 1)
        let mix = try Mix.parse("me=2,refresh=1,login=1,register=1,health=1")
        let result = try await run(MixedScenario(tag: "t3", mix: mix), on: server, plan: Self.plan(connections: 2))
        await server.stop()
        for name in ["me", "refresh", "login", "register", "health"] {
            #expect((result.endpoints.first { $0.name == name }?.latency.count ?? 0) > 0, "\(name) never sent")
        }
        #expect(result.totalErrors == 0)
        #expect(result.checksPassRate == 1)
    }

    @Test func loginScenarioRegistersThenLogsInRoundRobin() async throws {
        let fake = FakeAuthServer()
        let server = try await HTTPTestServer.start(.routes(fake.respond), threads: 1)
        let result = try await run(LoginScenario(tag: "t4", users: 5, connections: 2), on: server, plan: Self.plan(connections: 2))
        await server.stop()
        #expect(fake.hitCount("POST /v1/auth/register") == 5)
        #expect(result.setupRequests == 5)
        #expect(result.requests > 0 && result.totalErrors == 0)
    }

    /// The seed profile, scaled down: every check passes against a correct server,
    /// and the users end the run themselves.
    @Test func seedProfileScaledDown() async throws {
        let fake = FakeAuthServer()
        let server = try await HTTPTestServer.start(.routes(fake.respond), threads: 1)
        let seed = SeedScenario(tag: "t5", lifecycleUsers: 2, replayUsers: 2, duration: 200_000_000,
                                replayStart: 20_000_000, iterations: 2, pause: 50_000_000)
        let plan = LoadPlan(connections: 4, threads: 1, duration: 0.2, warmup: 0, rate: nil, timeout: 2, setupTimeout: 5)
        let result = try await run(seed, on: server, plan: plan)
        await server.stop()
        let byName = Dictionary(uniqueKeysWithValues: result.checks.map { ($0.name, $0) })
        #expect(byName["replay code is REFRESH_TOKEN_REUSED"]?.passes == 4)
        #expect(byName["replay status is 401"]?.passes == 4)
        #expect(byName["refresh rotates token"]?.passes == 4)
        #expect((byName["me status is 200"]?.passes ?? 0) >= 2)
        #expect(result.checksPassRate == 1)
        #expect(result.totalErrors == 0, "replay 401 is expected, not an error")
        #expect(result.measuredSeconds < 3)
        let printed = ReportPrinter.seed(result)
        #expect(printed.contains("25.01") && printed.contains("684.36") && printed.contains("900.44"))
        #expect(printed.contains("checks passed") && printed.contains("100.00%"))
        #expect(printed.contains("ok   replay code is REFRESH_TOKEN_REUSED"))
    }

    @Test func unreachableTargetFailsFast() async throws {
        guard let port = HTTPProbe.freePort() else { Issue.record("no free port"); return }
        let target = Target(host: "127.0.0.1", port: port, basePath: "")
        await #expect(throws: BenchError.self) {
            _ = try await LoadRunner(scenario: Ceiling.scenario, connector: try target.connector(), encoder: target.encoder,
                                     targetDescription: "", plan: Self.plan(connections: 1)).run()
        }
    }

    @Test func probeReadsReadiness() async throws {
        let server = try await HTTPTestServer.start(.routes(FakeAuthServer().respond), threads: 1)
        let status = await Task.detached { HTTPProbe.status(host: "127.0.0.1", port: server.port, path: "/ready") }.value
        let missing = await Task.detached { HTTPProbe.status(host: "127.0.0.1", port: server.port, path: "/nope") }.value
        await server.stop()
        #expect(status == 200)
        #expect(missing == 404)
    }
}
