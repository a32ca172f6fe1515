import Testing
@testable import bench

/// k6-like check accounting.
@Suite struct CheckTallyTests {
    @Test func recordsPassesAndFailsPerCheck() {
        var t = CheckTally(names: ["a", "b"])
        t.record(0, true); t.record(0, true); t.record(0, false)
        t.record(1, false)
        #expect(t.passes == [2, 0])
        #expect(t.fails == [1, 1])
        #expect(t.totalPasses == 2 && t.totalFails == 2)
        #expect(t.passRate == 0.5)
        #expect(abs(t.passRate(0) - 2.0 / 3.0) < 1e-12)
        #expect(t.passRate(1) == 0)
    }

    @Test func unevaluatedChecksCountAsPassing() {
        let t = CheckTally(names: ["never"])
        #expect(t.passRate == 1)
        #expect(t.passRate(0) == 1)
    }

    @Test func mergeAddsCounts() {
        var a = CheckTally(names: ["x"])
        var b = CheckTally(names: ["x"])
        a.record(0, true)
        b.record(0, false); b.record(0, true)
        a.merge(b)
        #expect(a.passes == [2] && a.fails == [1])
    }

    /// The seed's replay user records the replay checks from the answer.
    @Test func replayChecksNeed401AndTheReuseCode() {
        let user = RefreshReplayUser(tag: "t", connection: 0, start: 0, iterations: 1, encoder: RequestEncoder(hostHeader: "h"))
        var checks = CheckTally(names: SeedScenario(tag: "t").checkNames)
        _ = user.next(now: 0) // ready
        func answer(_ status: Int, _ body: String) {
            guard case .send = user.next(now: 1) else { Issue.record("expected a request"); return }
            user.receive(HTTPResponse(status: status, keepAlive: true, body: .init(string: body)), checks: &checks)
        }
        answer(201, #"{"user":{}}"#)
        answer(200, #"{"accessToken":"a1","refreshToken":"r1"}"#)
        answer(200, #"{"accessToken":"a2","refreshToken":"r2"}"#)
        answer(401, #"{"error":{"code":"REFRESH_TOKEN_REUSED","message":"x"}}"#)
        #expect(checks.totalFails == 0)
        // register, login, refresh, rotated, replay status, replay code; `me` is not part of this flow.
        #expect(checks.totalPasses == 6)
        #expect(checks.passes[SeedScenario.Check.replayCode.rawValue] == 1)
        #expect(checks.passes[SeedScenario.Check.me.rawValue] == 0)
        guard case .finished = user.next(now: 2) else { Issue.record("expected the user to finish"); return }
    }

    /// A replay that the server wrongly accepts fails both replay checks.
    @Test func acceptedReplayFailsTheReplayChecks() {
        let user = RefreshReplayUser(tag: "t", connection: 0, start: 0, iterations: 1, encoder: RequestEncoder(hostHeader: "h"))
        var checks = CheckTally(names: SeedScenario(tag: "t").checkNames)
        _ = user.next(now: 0)
        for (status, body) in [(201, "{}"), (200, #"{"refreshToken":"r1"}"#), (200, #"{"refreshToken":"r2"}"#), (200, #"{"refreshToken":"r3"}"#)] {
            _ = user.next(now: 1)
            user.receive(HTTPResponse(status: status, keepAlive: true, body: .init(string: body)), checks: &checks)
        }
        #expect(checks.fails[SeedScenario.Check.replayStatus.rawValue] == 1)
        #expect(checks.fails[SeedScenario.Check.replayCode.rawValue] == 1)
        #expect(checks.totalFails == 2)
    }
}
