import Foundation
import Testing
@testable import Engine

@Suite struct AuthEngineTests {
    @Test func registerLoginMe() async throws {
        let engine = makeEngine()
        let user = try await engine.registerUser("  Alice@Example.COM ", name: "  Alice ")
        #expect(user.email == "alice@example.com")
        #expect(user.name == "Alice")
        let grant = try await engine.loginUser("alice@example.com")
        #expect(grant.user.id == user.id)
        #expect(grant.session.status == .active)
        #expect(grant.session.isCurrent)
        let me = try await engine.me(accessToken: grant.accessToken)
        #expect(me.user.id == user.id)
        #expect(me.session.id == grant.session.id)
        #expect(me.session.userAgent == "tests")
    }

    @Test func duplicateEmailIsRefused() async throws {
        let engine = makeEngine()
        try await engine.registerUser("bob@example.com")
        let error = await authError { try await engine.registerUser("BOB@example.com ") }
        #expect(error == .userAlreadyExists)
    }

    @Test func invalidRegistrationReportsEveryField() async throws {
        let engine = makeEngine()
        let error = await authError { try await engine.register(name: .value(" a "), email: .value("nope"), password: .notString) }
        guard case .invalidPayload(let issues) = error else { Issue.record("expected invalid payload, got \(String(describing: error))"); return }
        #expect(issues.map(\.path) == ["name", "email", "password"])
    }

    @Test func wrongPasswordAndUnknownEmailAreTheSameError() async throws {
        let engine = makeEngine()
        try await engine.registerUser("carol@example.com")
        #expect(await authError { try await engine.loginUser("carol@example.com", password: "wrong password") } == .invalidCredentials)
        #expect(await authError { try await engine.loginUser("nobody@example.com") } == .invalidCredentials)
    }

    @Test func rotationThenReplayCompromisesTheSession() async throws {
        let engine = makeEngine()
        try await engine.registerUser("dave@example.com")
        let first = try await engine.loginUser("dave@example.com")
        let second = try await engine.rotate(first.refreshToken)
        #expect(second.refreshToken != first.refreshToken)
        #expect(second.session.id == first.session.id)
        #expect(await authError { try await engine.rotate(first.refreshToken) } == .refreshTokenReused)
        // Every token of the session stops working.
        #expect(await authError { try await engine.rotate(second.refreshToken) } == .sessionCompromised)
        #expect(await authError { try await engine.me(accessToken: second.accessToken) } == .sessionNotActive)
        let sessions = try await engine.listSessions(accessToken: try await engine.loginUser("dave@example.com").accessToken)
        #expect(sessions.first { $0.id == first.session.id }?.status == .compromised)
    }

    @Test func concurrentRefreshesWithOneTokenSucceedAtMostOnce() async throws {
        let engine = makeEngine()
        try await engine.registerUser("erin@example.com")
        let grant = try await engine.loginUser("erin@example.com")
        let results = await withTaskGroup(of: AuthError?.self) { group in
            for _ in 0..<32 { group.addTask { await authError { try await engine.rotate(grant.refreshToken) } } }
            return await group.reduce(into: [AuthError?]()) { $0.append($1) }
        }
        #expect(results.filter { $0 == nil }.count <= 1)
        #expect(results.allSatisfy { $0 == nil || $0 == .refreshTokenReused || $0 == .sessionCompromised })
    }

    @Test func reuseGraceReturnsTheCurrentPairForTheImmediateParentOnly() async throws {
        let clock = ManualClock()
        let engine = makeEngine({ $0.refreshReuseIntervalSeconds = 10 }, clock: clock)
        try await engine.registerUser("gina@example.com")
        let g0 = try await engine.loginUser("gina@example.com")
        clock.advance(seconds: 1)
        let g1 = try await engine.rotate(g0.refreshToken)
        clock.advance(seconds: 2)
        let again = try await engine.rotate(g0.refreshToken)   // second tab, within the grace
        #expect(again.refreshToken == g1.refreshToken)
        #expect(again.accessToken == g1.accessToken)
        clock.advance(seconds: 1)
        let g2 = try await engine.rotate(g1.refreshToken)
        // g0 is now two generations back: replay, even within the interval.
        #expect(await authError { try await engine.rotate(g0.refreshToken) } == .refreshTokenReused)
        #expect(await authError { try await engine.rotate(g2.refreshToken) } == .sessionCompromised)
    }

    @Test func parentAfterTheGraceIntervalIsReplay() async throws {
        let clock = ManualClock()
        let engine = makeEngine({ $0.refreshReuseIntervalSeconds = 5 }, clock: clock)
        try await engine.registerUser("hank@example.com")
        let g0 = try await engine.loginUser("hank@example.com")
        _ = try await engine.rotate(g0.refreshToken)
        clock.advance(seconds: 6)
        #expect(await authError { try await engine.rotate(g0.refreshToken) } == .refreshTokenReused)
    }

    @Test func expiredTokens() async throws {
        let clock = ManualClock()
        let engine = makeEngine({ $0.accessTokenTTLSeconds = 60; $0.refreshTokenTTLSeconds = 120; $0.leewaySeconds = 5 }, clock: clock)
        try await engine.registerUser("ivy@example.com")
        let grant = try await engine.loginUser("ivy@example.com")
        clock.advance(seconds: 64)   // within leeway
        _ = try await engine.me(accessToken: grant.accessToken)
        clock.advance(seconds: 2)
        #expect(await authError { try await engine.me(accessToken: grant.accessToken) } == .invalidToken)
        clock.advance(seconds: 60)
        #expect(await authError { try await engine.rotate(grant.refreshToken) } == .refreshTokenExpired)
    }

    @Test func leewayIsBoundedByTheConfiguration() {
        var configuration = EngineConfiguration(
            dataDirectory: "/nonexistent", accessTokenSecret: Array(repeating: 1, count: 32), refreshTokenSecret: Array(repeating: 2, count: 32))
        configuration.leewaySeconds = EngineConfiguration.maximumLeewaySeconds
        #expect(configuration.problems().isEmpty)
        configuration.leewaySeconds = EngineConfiguration.maximumLeewaySeconds + 1
        #expect(configuration.problems() == ["token leeway must be 0...60 seconds"])
        configuration.leewaySeconds = -1
        #expect(configuration.problems().count == 1)
    }

    @Test func tokensIssuedInTheFutureVerifyWithinTheLeeway() async throws {
        let clock = ManualClock()
        let engine = makeEngine({ $0.leewaySeconds = 10 }, clock: clock)
        try await engine.registerUser("skew@example.com")
        let grant = try await engine.loginUser("skew@example.com")
        clock.advance(seconds: -8)   // this server's clock is 8 s behind the one that issued the token
        _ = try await engine.me(accessToken: grant.accessToken)
        clock.advance(seconds: -3)
        #expect(await authError { try await engine.me(accessToken: grant.accessToken) } == .invalidToken)
    }

    @Test func tokensOfOneFamilyAreRefusedAsTheOther() async throws {
        let engine = makeEngine()
        try await engine.registerUser("jack@example.com")
        let grant = try await engine.loginUser("jack@example.com")
        #expect(await authError { try await engine.me(accessToken: grant.refreshToken) } == .invalidToken)
        #expect(await authError { try await engine.rotate(grant.accessToken) } == .invalidRefreshToken)
        #expect(await authError { try await engine.rotate("not.a.token") } == .invalidRefreshToken)
        #expect(await authError { try await engine.refresh(refreshToken: .missing, client: ClientInfo()) } == .invalidPayload([FieldIssue(path: "refreshToken", message: "Required")]))
    }

    @Test func tokensFromAnotherServerKeyAreRefused() async throws {
        let engine = makeEngine()
        let other = makeEngine { $0.accessTokenSecret = Array(repeating: 0x58, count: 32); $0.refreshTokenSecret = Array(repeating: 0x59, count: 32) }
        try await other.registerUser("kim@example.com")
        let foreign = try await other.loginUser("kim@example.com")
        #expect(await authError { try await engine.me(accessToken: foreign.accessToken) } == .invalidToken)
        #expect(await authError { try await engine.rotate(foreign.refreshToken) } == .invalidRefreshToken)
    }

    @Test func revokeOtherSessionAndNotFoundRules() async throws {
        let engine = makeEngine()
        try await engine.registerUser("lee@example.com")
        try await engine.registerUser("mia@example.com")
        let a = try await engine.loginUser("lee@example.com")
        let b = try await engine.loginUser("lee@example.com")
        let other = try await engine.loginUser("mia@example.com")
        let listed = try await engine.listSessions(accessToken: a.accessToken)
        #expect(Set(listed.map(\.id)) == [a.session.id, b.session.id])
        #expect(listed.filter(\.isCurrent).map(\.id) == [a.session.id])
        #expect(await authError { try await engine.revokeSession(accessToken: a.accessToken, sessionID: other.session.id.lowercased) } == .sessionNotFound)
        #expect(await authError { try await engine.revokeSession(accessToken: a.accessToken, sessionID: UUID().uuidString) } == .sessionNotFound)
        #expect(await authError { try await engine.revokeSession(accessToken: a.accessToken, sessionID: "nope") } == .invalidPayload([FieldIssue(path: "sessionId", message: "Invalid uuid")]))
        try await engine.revokeSession(accessToken: a.accessToken, sessionID: b.session.id.lowercased)
        #expect(await authError { try await engine.me(accessToken: b.accessToken) } == .sessionNotActive)
        #expect(await authError { try await engine.rotate(b.refreshToken) } == .sessionRevoked)
        _ = try await engine.me(accessToken: a.accessToken)
        _ = try await engine.me(accessToken: other.accessToken)
    }

    @Test func revokeAllAndRevokeCurrent() async throws {
        let engine = makeEngine()
        try await engine.registerUser("ned@example.com")
        let a = try await engine.loginUser("ned@example.com")
        let b = try await engine.loginUser("ned@example.com")
        #expect(try await engine.revokeAllSessions(accessToken: a.accessToken) == 2)
        #expect(await authError { try await engine.me(accessToken: a.accessToken) } == .sessionNotActive)
        #expect(await authError { try await engine.me(accessToken: b.accessToken) } == .sessionNotActive)

        let c = try await engine.loginUser("ned@example.com")
        try await engine.revokeCurrentSession(refreshToken: .value(c.refreshToken))
        #expect(await authError { try await engine.me(accessToken: c.accessToken) } == .sessionNotActive)
        #expect(await authError { try await engine.rotate(c.refreshToken) } == .sessionRevoked)
    }

    @Test func revokeCurrentWithAnOldLinkIsReplay() async throws {
        let engine = makeEngine()
        try await engine.registerUser("ola@example.com")
        let a = try await engine.loginUser("ola@example.com")
        let b = try await engine.rotate(a.refreshToken)
        #expect(await authError { try await engine.revokeCurrentSession(refreshToken: .value(a.refreshToken)) } == .refreshTokenReused)
        #expect(await authError { try await engine.me(accessToken: b.accessToken) } == .sessionNotActive)
    }

    @Test func sessionCapRevokesTheOldest() async throws {
        let engine = makeEngine { $0.maxSessionsPerUser = 3 }
        try await engine.registerUser("pam@example.com")
        var grants: [TokenGrant] = []
        for _ in 0..<4 { grants.append(try await engine.loginUser("pam@example.com")) }
        #expect(await authError { try await engine.me(accessToken: grants[0].accessToken) } == .sessionNotActive)
        let sessions = try await engine.listSessions(accessToken: grants[3].accessToken)
        #expect(sessions.first { $0.id == grants[0].session.id }?.revokeReason == "session_limit")
        #expect(sessions.filter { $0.status == .active }.count == 3)
    }

    @Test func concurrentRegistrationsOfOneEmailHaveOneWinner() async throws {
        let engine = makeEngine()
        let outcomes = await withTaskGroup(of: AuthError?.self) { group in
            for _ in 0..<1000 { group.addTask { await authError { try await engine.registerUser("race@example.com") } } }
            return await group.reduce(into: [AuthError?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 1)
        #expect(outcomes.filter { $0 == .userAlreadyExists }.count == 999)
    }

    @Test func fiftyUsersWithFiveSessionsEachInParallel() async throws {
        let engine = makeEngine()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for u in 0..<50 {
                group.addTask {
                    let email = "user\(u)@example.com"
                    try await engine.registerUser(email)
                    try await withThrowingTaskGroup(of: Void.self) { inner in
                        for _ in 0..<5 { inner.addTask { _ = try await engine.loginUser(email) } }
                        try await inner.waitForAll()
                    }
                }
            }
            try await group.waitForAll()
        }
        let stats = await engine.statistics()
        #expect(stats.users == 50)
        #expect(stats.sessionsActive == 250)
    }

    @Test func twoHundredLinkChain() async throws {
        let engine = makeEngine()
        try await engine.registerUser("quinn@example.com")
        var grant = try await engine.loginUser("quinn@example.com")
        var seen: Set<String> = [grant.refreshToken]
        for _ in 0..<200 {
            grant = try await engine.rotate(grant.refreshToken)
            #expect(seen.insert(grant.refreshToken).inserted)
        }
        _ = try await engine.me(accessToken: grant.accessToken)
    }

    @Test func overloadedHashPoolShedsLoad() async throws {
        let engine = makeEngine { $0.hashThreads = 1; $0.hashQueueLimit = 0; $0.argon2 = Argon2Parameters(memoryKiB: 8192, iterations: 3, parallelism: 1) }
        let outcomes = await withTaskGroup(of: AuthError?.self) { group in
            for i in 0..<16 { group.addTask { await authError { try await engine.registerUser("load\(i)@example.com") } } }
            return await group.reduce(into: [AuthError?]()) { $0.append($1) }
        }
        #expect(outcomes.contains(.overloaded(retryAfterSeconds: 1)))
        #expect(outcomes.contains(nil))
    }

    @Test func loginRehashesWhenParametersChanged() async throws {
        let weak = makeEngine()
        try await weak.registerUser("rex@example.com")
        // The same state under a configuration with a higher cost.
        let strong = makeEngine { $0.argon2 = Argon2Parameters(memoryKiB: 128, iterations: 2, parallelism: 1) }
        for (index, shard) in weak.shards.enumerated() {
            let (state, lsn) = await shard.capture()
            await strong.shards[index].load(state, lsn: lsn)
        }
        let route = ShardRoute.route(email: "rex@example.com")
        #expect(await strong.shard(for: route).credentials(email: "rex@example.com")!.1.contains("m=64,t=1,p=1"))
        _ = try await strong.loginUser("rex@example.com")
        let rehashed = await strong.shard(for: route).credentials(email: "rex@example.com")!.1
        #expect(rehashed.contains("m=128,t=2,p=1"))
        _ = try await strong.loginUser("rex@example.com")
    }

    @Test func accountBucketsAreSharedAcrossCaseAndSpaces() async throws {
        let engine = makeEngine()
        var allowed = 0
        for variant in ["a@x.io", "A@X.IO", " a@x.io ", "a@X.io"] {
            if await engine.consume(.account(variant), capacity: 3, windowMilliseconds: 60_000).allowed { allowed += 1 }
        }
        #expect(allowed == 3)
    }

    /// Issue 15.4 through the public API: one table, two limits. A sweep started by a
    /// small-limit bucket (10) must not delete an IP bucket (limit 100) that has 10 or more
    /// tokens left, which would hand that IP its whole allowance back.
    @Test func ipBucketsSurviveASweepStartedByASmallerLimit() async throws {
        let engine = makeEngine({ $0.shardCount = 1 })
        let victim = RateLimitKey.ip("203.0.113.9")
        for _ in 0..<50 { _ = await engine.consume(victim, capacity: 100, windowMilliseconds: 3_600_000) }
        for i in 0..<1_100 { _ = await engine.consume(.ip("10.1.\(i / 256).\(i % 256)"), capacity: 100, windowMilliseconds: 3_600_000) }
        for i in 0..<1_100 { _ = await engine.consume(.account("user\(i)@example.com"), capacity: 10, windowMilliseconds: 3_600_000) }
        var allowed = 0
        for _ in 0..<100 where await engine.consume(victim, capacity: 100, windowMilliseconds: 3_600_000).allowed { allowed += 1 }
        #expect(allowed == 50)
    }

    @Test func parallelAccountAttemptsCannotExceedTheLimit() async throws {
        let engine = makeEngine()
        let decisions = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 { group.addTask { await engine.consume(.account("z@x.io"), capacity: 10, windowMilliseconds: 60_000).allowed } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(decisions.filter { $0 }.count == 10)
    }
}
