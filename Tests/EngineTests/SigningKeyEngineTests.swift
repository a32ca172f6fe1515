import Foundation
import Synchronization
import Testing
import WAL
@testable import Engine

/// Signing keys through the engine: rotation with the injected clock, restart, restore and
/// replicas, previous HS256 secrets.
@Suite struct SigningKeyEngineTests {
    private func kid(_ token: String) throws -> String {
        let segment = Array(token.split(separator: ".")[0].utf8)
        guard let kid = segment.withUnsafeBufferPointer({ TokenHeader(segment: $0)?.kid }) else { throw AuthError.invalidToken }
        return kid
    }

    private func jwksKids(_ engine: AuthEngine) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(engine.jwksDocument())) as? [String: [[String: String]]])
        return try #require(object["keys"]).map { $0["kid"] ?? "" }
    }

    private func temporaryDirectory() -> String { NSTemporaryDirectory() + "authd-keys-\(UUID().uuidString)" }

    /// A durable configuration in a new directory (the caller removes it).
    private func durable(shards: Int, algorithm: SigningAlgorithm = .hs256) -> EngineConfiguration {
        var configuration = testConfiguration(shards: shards)
        configuration.dataDirectory = temporaryDirectory()
        configuration.accessTokenAlgorithm = algorithm
        return configuration
    }

    /// Opens `configuration`, registers `email` and logs it in; the engine stays open.
    private func openWithSession(_ configuration: EngineConfiguration, _ email: String) async throws -> (AuthEngine, TokenGrant) {
        let engine = try await AuthEngine.open(configuration)
        try await engine.registerUser(email)
        return (engine, try await engine.loginUser(email))
    }

    @Test(arguments: [SigningAlgorithm.edDSA, .es256])
    func rotationPublishesFirstSignsLaterAndLogsNobodyOut(_ algorithm: SigningAlgorithm) async throws {
        let clock = ManualClock()
        let engine = makeEngine({ $0.accessTokenAlgorithm = algorithm; $0.accessTokenTTLSeconds = 900; $0.leewaySeconds = 5 }, clock: clock)
        try await engine.registerUser("k@example.com")
        let first = try await engine.loginUser("k@example.com")
        let firstKid = try kid(first.accessToken)
        #expect(try jwksKids(engine) == [firstKid])
        #expect(engine.signingKeyListing().map(\.state) == ["active"])

        let next = try await engine.rotateSigningKey()
        #expect(next.phase == .next)
        #expect(next.key.activatesAt.milliseconds == clock.now().milliseconds + 300_000)
        #expect(try jwksKids(engine) == [firstKid, next.key.kid])
        do { try await engine.rotateSigningKey(); Issue.record("two pending keys") } catch {   // one pending key at a time
            #expect(error == .pending(kid: next.key.kid, activatesAt: next.key.activatesAt))
        }
        // Until JWKS_MAX_AGE has passed, the old key still signs.
        clock.advance(seconds: 299)
        let during = try await engine.rotate(first.refreshToken)
        #expect(try kid(during.accessToken) == firstKid)
        clock.advance(seconds: 1)
        let after = try await engine.rotate(during.refreshToken)
        #expect(try kid(after.accessToken) == next.key.kid)
        // Tokens of the retired key keep verifying; nobody was logged out.
        _ = try await engine.me(accessToken: during.accessToken)
        _ = try await engine.me(accessToken: after.accessToken)
        #expect(await engine.statistics().sessionsActive == 1)
        #expect(engine.signingKeyListing().map(\.state) == ["retired", "active"])
        // One access-token lifetime plus leeway after retirement, the old key leaves the JWKS.
        clock.advance(seconds: 904)
        #expect(try jwksKids(engine) == [firstKid, next.key.kid])
        clock.advance(seconds: 1)
        #expect(try jwksKids(engine) == [next.key.kid])
        // The next rotation drops it from the state.
        let third = try await engine.rotateSigningKey()
        #expect(await engine.keyOwner.signingKeys().map(\.kid) == [next.key.kid, third.key.kid])
    }

    @Test func automaticRotationFollowsTheInjectedClock() async throws {
        let clock = ManualClock()
        let engine = makeEngine({ $0.accessTokenAlgorithm = .edDSA; $0.signingKeyRotationIntervalSeconds = 86_400 }, clock: clock)
        #expect(try await engine.rotateSigningKeyIfDue() == nil)
        clock.advance(seconds: 86_399)
        #expect(try await engine.rotateSigningKeyIfDue() == nil)
        clock.advance(seconds: 1)
        let rotated = try #require(try await engine.rotateSigningKeyIfDue())
        #expect(rotated.phase == .next)
        clock.advance(seconds: 86_000)
        #expect(try await engine.rotateSigningKeyIfDue() == nil)   // the new key activated 300 s after it was created
        clock.advance(seconds: 700)
        #expect(try await engine.rotateSigningKeyIfDue() != nil)
    }

    @Test func hs256PublishesNothingAndRefusesRotation() async throws {
        let engine = makeEngine()
        #expect(engine.jwksDocument() == Array(#"{"keys":[]}"#.utf8))
        do { try await engine.rotateSigningKey(); Issue.record("rotated") } catch { #expect(error == .hmacConfigured) }
        #expect(engine.signingKeyListing() == [SigningKeyListing(kid: TokenKey.hmacKeyID(Array(repeating: 0x41, count: 32)), algorithm: .hs256, state: "active")])
    }

    @Test func keysSurviveRestartSnapshotAndRestore() async throws {
        var configuration = durable(shards: 3, algorithm: .es256)
        let directory = configuration.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (engine, grant) = try await openWithSession(configuration, "r@example.com")
        let firstKid = try kid(grant.accessToken)
        let pending = try await engine.rotateSigningKey()
        await engine.shutdown()

        // Restart (WAL replay) with another shard count: same keys, old token verifies.
        configuration.shardCount = 5
        let reopened = try await AuthEngine.open(configuration)
        _ = try await reopened.me(accessToken: grant.accessToken)
        #expect(try jwksKids(reopened) == [firstKid, pending.key.kid])
        _ = try await reopened.snapshot()
        await reopened.shutdown()

        // Restart from the snapshot.
        configuration.shardCount = 2
        let fromSnapshot = try await AuthEngine.open(configuration)
        _ = try await fromSnapshot.me(accessToken: grant.accessToken)
        #expect(await fromSnapshot.keyOwner.signingKeys().map(\.kid) == [firstKid, pending.key.kid])
        await fromSnapshot.shutdown()

        // Point-in-time recovery (what `authd restore` writes) keeps them too.
        let recovered = try EngineRecovery.read(dataDirectory: directory, shardCount: 4)
        #expect(recovered.states[0].signingKeys.map(\.kid) == [firstKid, pending.key.kid])
        #expect(recovered.states[1...].allSatisfy { $0.signingKeys.isEmpty })
    }

    @Test func changingTheAlgorithmCreatesAKeyAndDropsTheOldOnes() async throws {
        var configuration = durable(shards: 2, algorithm: .edDSA)
        defer { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
        let (engine, ed) = try await openWithSession(configuration, "a@example.com")
        await engine.shutdown()
        configuration.accessTokenAlgorithm = .es256
        let switched = try await AuthEngine.open(configuration)
        let keys = await switched.keyOwner.signingKeys()
        #expect(keys.map(\.algorithm) == [.es256])
        // Tokens of the other algorithm are refused (the algorithm is pinned); refresh still works.
        #expect(await authError { try await switched.me(accessToken: ed.accessToken) } == .invalidToken)
        let fresh = try await switched.rotate(ed.refreshToken)
        _ = try await switched.me(accessToken: fresh.accessToken)
        #expect(try kid(fresh.accessToken) == keys[0].kid)
        await switched.shutdown()
    }

    @Test func followersApplyTheLeadersKeysAndNeverCreateTheirOwn() async throws {
        let leaderDir = temporaryDirectory(), followerDir = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: leaderDir)
            try? FileManager.default.removeItem(atPath: followerDir)
        }
        var configuration = testConfiguration(shards: 3)
        configuration.accessTokenAlgorithm = .edDSA
        configuration.signingKeyRotationIntervalSeconds = 300
        configuration.snapshotEveryBytes = 0
        configuration.dataDirectory = leaderDir
        let leader = try await AuthEngine.open(configuration)
        try await leader.rotateSigningKey()
        try await leader.registerUser("f@example.com")
        let grant = try await leader.loginUser("f@example.com")
        await leader.shutdown()

        var followerConfiguration = configuration
        followerConfiguration.dataDirectory = followerDir
        followerConfiguration.startsFollowing = true
        let follower = try await AuthEngine.open(followerConfiguration)
        #expect(await follower.keyOwner.signingKeys().isEmpty)   // no key of its own
        // The leader's log, as replication would ship it.
        var records: [WALRecord] = []
        _ = try WALReader(directory: leaderDir).forEachRecord(after: 0, continuous: true) { records.append($0) }
        try await follower.applyReplicated(records)
        _ = try await follower.me(accessToken: grant.accessToken)
        #expect(await follower.keyOwner.signingKeys().count == 2)
        for shard in follower.shards { #expect(await shard.accessKeyIDs().count == 2) }
        do { try await follower.rotateSigningKey(); Issue.record("a follower rotated") } catch { #expect(error == .following) }
        #expect(try await follower.rotateSigningKeyIfDue() == nil)
        await follower.shutdown()
    }

    @Test func previousSecretsVerifyOldTokensAndSignNothing() async throws {
        var configuration = durable(shards: 2)
        defer { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
        let (engine, old) = try await openWithSession(configuration, "p@example.com")
        await engine.shutdown()

        let oldAccess = configuration.accessTokenSecret, oldRefresh = configuration.refreshTokenSecret
        configuration.accessTokenSecret = Array(repeating: 0x61, count: 32)
        configuration.refreshTokenSecret = Array(repeating: 0x62, count: 32)
        let without = try await AuthEngine.open(configuration)
        #expect(await authError { try await without.me(accessToken: old.accessToken) } == .invalidToken)
        await without.shutdown()

        configuration.previousAccessTokenSecrets = [oldAccess]
        configuration.previousRefreshTokenSecrets = [oldRefresh]
        let rotated = try await AuthEngine.open(configuration)
        _ = try await rotated.me(accessToken: old.accessToken)
        let fresh = try await rotated.rotate(old.refreshToken)
        #expect(try kid(fresh.accessToken) == TokenKey.hmacKeyID(configuration.accessTokenSecret))
        #expect(try kid(fresh.refreshToken) == TokenKey.hmacKeyID(configuration.refreshTokenSecret))
        #expect(rotated.signingKeyListing().map(\.state) == ["active", "verify-only"])
        await rotated.shutdown()
    }
}
