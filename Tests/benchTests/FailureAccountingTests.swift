import Testing
@testable import bench

/// Failures are counted by kind, and the run carries on (reconnecting).
@Suite(.serialized) struct FailureAccountingTests {
    func run(_ kind: HTTPTestServer.Kind, timeout: Double) async throws -> RunResult {
        let server = try await HTTPTestServer.start(kind, threads: 1)
        let target = Target(host: "127.0.0.1", port: server.port, basePath: "")
        let plan = LoadPlan(connections: 2, threads: 1, duration: 0.6, warmup: 0, rate: nil, timeout: timeout, setupTimeout: 5)
        let result = try await LoadRunner(scenario: StaticScenario(name: "health", path: "/health"), connector: try target.connector(),
                                          encoder: target.encoder, targetDescription: "", plan: plan).run()
        await server.stop()
        return result
    }

    @Test func silentServerGivesTimeouts() async throws {
        let r = try await run(.silent, timeout: 0.15)
        #expect(r.requests == 0)
        #expect((r.errors["timeout"] ?? 0) >= 2, "each connection times out at least once in 0.6 s")
        #expect(r.errors["closed"] == 0 && r.errors["status"] == 0)
    }

    @Test func hangingUpServerGivesClosedErrors() async throws {
        let r = try await run(.hangUp, timeout: 2)
        #expect(r.requests == 0)
        #expect((r.errors["closed"] ?? 0) >= 2, "requests die with their connection and are retried on a new one")
        #expect(r.errors["timeout"] == 0)
    }
}
