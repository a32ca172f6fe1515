import Foundation
import Testing
@testable import Engine

/// The per-loop `me` cache: a token whose session lives on another executor's shard is answered
/// on the caller's executor after the first hop, and every change of the user's state is seen
/// by the very next `me`, as if there were no cache.
@Suite struct AccessCacheTests {
    /// An engine whose shards run on two executors, like `authd serve` on two event loops.
    private struct TwoLoops {
        let engine: AuthEngine
        let clock: ManualClock
        let executors: [ShardExecutor]

        init(_ configure: (inout EngineConfiguration) -> Void = { _ in }) {
            clock = ManualClock()
            executors = [.queue(label: "test.loop.a"), .queue(label: "test.loop.b")]
            var c = testConfiguration()
            configure(&c)
            engine = AuthEngine.inMemory(c, clock: clock, executors: executors)
        }

        /// The executor that does not run `userID`'s shard.
        func foreignExecutor(for userID: UUID) async -> ShardExecutor {
            let shard = engine.shard(forUser: userID)
            for executor in executors {
                let owns = await withCheckedContinuation { c in executor.run { c.resume(returning: shard.placement.isCurrent()) } }
                if !owns { return executor }
            }
            preconditionFailure("both executors own the shard")
        }

        /// `me` called on `executor`, with the thread its completion ran on checked.
        func me(_ token: String, on executor: ShardExecutor) async -> (result: Result<(user: UserView, session: SessionView), AuthError>, onCaller: Bool) {
            await withCheckedContinuation { c in
                executor.run {
                    engine.me(accessToken: token) { result in c.resume(returning: (result, executor.isCurrent())) }
                }
            }
        }

        /// `me` on the owning shard: the answer without any cache.
        func ownerMe(_ token: String, userID: UUID) async -> Result<(user: UserView, session: SessionView), AuthError> {
            await me(token, on: engine.shard(forUser: userID).placement).result
        }
    }

    private func login(_ loops: TwoLoops, _ email: String) async throws -> TokenGrant {
        try await loops.engine.registerUser(email)
        return try await loops.engine.loginUser(email)
    }

    /// A fresh session whose `me` answer is cached on the executor that does not own it.
    private func cachedLogin(_ loops: TwoLoops, _ email: String) async throws -> (grant: TokenGrant, foreign: ShardExecutor) {
        let grant = try await login(loops, email)
        let foreign = await loops.foreignExecutor(for: grant.user.id)
        _ = try await loops.me(grant.accessToken, on: foreign).result.get()
        return (grant, foreign)
    }

    @Test func aRepeatedTokenIsAnsweredOnTheCallersLoopAfterOneHop() async throws {
        let loops = TwoLoops()
        let grant = try await login(loops, "cached@example.com")
        let foreign = await loops.foreignExecutor(for: grant.user.id)
        let first = await loops.me(grant.accessToken, on: foreign)
        let second = await loops.me(grant.accessToken, on: foreign)
        let owner = try await loops.ownerMe(grant.accessToken, userID: grant.user.id).get()
        #expect(first.onCaller && second.onCaller)
        #expect(try first.result.get() == owner)
        #expect(try second.result.get() == owner)
        let counts = await loops.engine.accessCacheCounts()
        #expect(counts.hits == 1 && counts.misses == 1 && counts.entries == 1)
        let statistics = await loops.engine.statistics()
        #expect(statistics.accessCacheHits == 1 && statistics.accessCacheEntries == 1)
    }

    @Test func aRevocationIsSeenByTheNextMe() async throws {
        let loops = TwoLoops()
        let (grant, foreign) = try await cachedLogin(loops, "revoked@example.com")
        try await loops.engine.revokeCurrentSession(refreshToken: .value(grant.refreshToken))
        #expect(await authError { try await loops.me(grant.accessToken, on: foreign).result.get() } == .sessionNotActive)
        #expect(await authError { try await loops.ownerMe(grant.accessToken, userID: grant.user.id).get() } == .sessionNotActive)
    }

    @Test func aRevocationOfAllSessionsIsSeenForEveryCachedToken() async throws {
        let loops = TwoLoops()
        try await loops.engine.registerUser("all@example.com")
        let one = try await loops.engine.loginUser("all@example.com")
        let two = try await loops.engine.loginUser("all@example.com")
        let foreign = await loops.foreignExecutor(for: one.user.id)
        _ = try await loops.me(one.accessToken, on: foreign).result.get()
        _ = try await loops.me(two.accessToken, on: foreign).result.get()
        #expect(try await loops.engine.revokeAllSessions(accessToken: one.accessToken) == 2)
        #expect(await authError { try await loops.me(one.accessToken, on: foreign).result.get() } == .sessionNotActive)
        #expect(await authError { try await loops.me(two.accessToken, on: foreign).result.get() } == .sessionNotActive)
    }

    @Test func aRotationIsReflectedAndAReplayIsSeenAtOnce() async throws {
        let loops = TwoLoops()
        let (grant, foreign) = try await cachedLogin(loops, "rotated@example.com")
        loops.clock.advance(seconds: 5)
        let rotated = try await loops.engine.refresh(refreshToken: .value(grant.refreshToken), client: ClientInfo(ipAddress: "10.0.0.9"))
        let seen = try await loops.me(grant.accessToken, on: foreign).result.get()
        #expect(seen == (try await loops.ownerMe(grant.accessToken, userID: grant.user.id).get()))
        #expect(seen.session.lastSeenAt == loops.clock.now())
        _ = try await loops.me(rotated.accessToken, on: foreign).result.get()
        // Replaying the first refresh token compromises the session: both access tokens stop.
        await #expect(throws: AuthError.refreshTokenReused) {
            try await loops.engine.refresh(refreshToken: .value(grant.refreshToken), client: ClientInfo())
        }
        #expect(await authError { try await loops.me(rotated.accessToken, on: foreign).result.get() } == .sessionNotActive)
        #expect(await authError { try await loops.me(grant.accessToken, on: foreign).result.get() } == .sessionNotActive)
    }

    @Test func anExpiredAccessTokenIsRefusedThoughItsAnswerIsCached() async throws {
        let loops = TwoLoops()
        let (grant, foreign) = try await cachedLogin(loops, "expired@example.com")
        loops.clock.advance(seconds: testConfiguration().accessTokenTTLSeconds + 1)
        #expect(await authError { try await loops.me(grant.accessToken, on: foreign).result.get() } == .invalidToken)
    }

    @Test func aSessionPastItsRefreshLifetimeIsRefusedThoughItsAnswerIsCached() async throws {
        let loops = TwoLoops { $0.accessTokenTTLSeconds = 3600; $0.refreshTokenTTLSeconds = 60 }
        let (grant, foreign) = try await cachedLogin(loops, "ended@example.com")
        loops.clock.advance(seconds: 61)
        #expect(await authError { try await loops.me(grant.accessToken, on: foreign).result.get() } == .sessionNotActive)
    }

    @Test func aForgedSignatureForACachedSessionIsRefused() async throws {
        let loops = TwoLoops()
        let (grant, foreign) = try await cachedLogin(loops, "forged@example.com")
        // Same header and claims (so the same session and user), another signature.
        let forged = String(grant.accessToken.dropLast()) + (grant.accessToken.hasSuffix("A") ? "B" : "A")
        #expect(await authError { try await loops.me(forged, on: foreign).result.get() } == .invalidToken)
        #expect(try await loops.me(grant.accessToken, on: foreign).result.get().session.id == grant.session.id)
    }

    @Test func aRecordReplicatedFromALeaderIsSeenByTheNextMe() async throws {
        let loops = TwoLoops()
        let (grant, foreign) = try await cachedLogin(loops, "replicated@example.com")
        let shard = loops.engine.shard(forUser: grant.user.id)
        try await shard.applyReplicated([(.sessionRevoked(userID: grant.user.id, sessionID: grant.session.id, at: loops.clock.now(),
                                                          reason: .userLogout), 1_000)], through: 1_000)
        #expect(await authError { try await loops.me(grant.accessToken, on: foreign).result.get() } == .sessionNotActive)
    }

    @Test func aLoadedStateMakesEveryEntryStale() async throws {
        let loops = TwoLoops()
        let (grant, foreign) = try await cachedLogin(loops, "reloaded@example.com")
        let shard = loops.engine.shard(forUser: grant.user.id)
        await shard.load(ShardState(), lsn: 0)
        #expect(await authError { try await loops.me(grant.accessToken, on: foreign).result.get() } == .invalidToken)
    }

    @Test func theCacheKeepsAtMostItsCapacity() async throws {
        let loops = TwoLoops { $0.accessCacheEntries = 2 }
        for index in 0..<12 {
            let grant = try await login(loops, "cap\(index)@example.com")
            let foreign = await loops.foreignExecutor(for: grant.user.id)
            #expect(try await loops.me(grant.accessToken, on: foreign).result.get().user.id == grant.user.id)
        }
        let counts = await loops.engine.accessCacheCounts()
        #expect(counts.misses == 12)
        #expect(counts.entries <= 2 * loops.executors.count)
    }

    @Test func zeroEntriesTurnsTheCacheOff() async throws {
        let loops = TwoLoops { $0.accessCacheEntries = 0 }
        #expect(loops.engine.accessCaches.isEmpty)
        let grant = try await login(loops, "off@example.com")
        let foreign = await loops.foreignExecutor(for: grant.user.id)
        #expect(try await loops.me(grant.accessToken, on: foreign).result.get().session.id == grant.session.id)
        #expect(try await loops.me(grant.accessToken, on: foreign).result.get().session.id == grant.session.id)
        #expect(await loops.engine.accessCacheCounts() == (0, 0, 0))
        #expect(EngineConfiguration.problemsFor(accessCacheEntries: -1).isEmpty == false)
    }

    @Test func versionsMoveOnlyForTheirStripeOrAll() {
        let versions = AccessVersions()
        let a = UUID()
        var b = UUID()
        while AccessVersions.stripe(of: b) == AccessVersions.stripe(of: a) { b = UUID() }
        let stampA = versions.current(a)
        let stampB = versions.current(b)
        versions.bump(a)
        #expect(!versions.isCurrent(stampA, for: a))
        #expect(versions.isCurrent(stampB, for: b))
        versions.bumpAll()
        #expect(!versions.isCurrent(stampB, for: b))
        for _ in 0..<100 { #expect((0..<AccessVersions.stripeCount).contains(AccessVersions.stripe(of: UUID()))) }
    }

    @Test func tokensCompareByEveryByte() {
        #expect(ConstantTime.equals("abc.def.ghi", "abc.def.ghi"))
        #expect(!ConstantTime.equals("abc.def.ghi", "abc.def.ghj"))
        #expect(!ConstantTime.equals("abc.def.ghi", "Abc.def.ghi"))
        #expect(!ConstantTime.equals("abc.def.ghi", "abc.def.gh"))
        #expect(!ConstantTime.equals("abc.def.gh", "abc.def.ghi"))
        #expect(!ConstantTime.equals("", "a"))
        #expect(ConstantTime.equals("", ""))
        // A difference at every position of a long input (inside the eight-byte words and in the
        // tail), and every length difference, is seen.
        let long = String(repeating: "abcdefgh", count: 5) + "xyz"
        let bytes = Array(long.utf8)
        for position in bytes.indices {
            var changed = bytes
            changed[position] ^= 0x01
            #expect(!ConstantTime.equals(long, String(decoding: changed, as: UTF8.self)))
            #expect(!ConstantTime.equals(String(decoding: bytes[..<position], as: UTF8.self), long))
            #expect(!ConstantTime.equals(long, String(decoding: bytes[..<position], as: UTF8.self)))
        }
        #expect(ConstantTime.equals(long, String(decoding: bytes, as: UTF8.self)))
    }
}

extension EngineConfiguration {
    /// The validation problems of a test configuration with `accessCacheEntries` set.
    static func problemsFor(accessCacheEntries: Int) -> [String] {
        var c = testConfiguration()
        c.accessCacheEntries = accessCacheEntries
        return c.problems()
    }
}
