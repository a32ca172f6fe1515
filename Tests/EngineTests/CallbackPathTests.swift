import Foundation
import Locking
import Testing
@testable import Engine

/// The event-loop path: `me` and `refresh` with completions, run on the owning shard's
/// executor without tasks.
@Suite struct CallbackPathTests {
    private func me(_ engine: AuthEngine, _ token: String) async -> Result<(user: UserView, session: SessionView), AuthError> {
        await withCheckedContinuation { c in engine.me(accessToken: token) { c.resume(returning: $0) } }
    }

    private func refresh(_ engine: AuthEngine, _ token: FieldInput) async -> Result<TokenGrant, AuthError> {
        await withCheckedContinuation { c in engine.refresh(refreshToken: token, client: ClientInfo()) { c.resume(returning: $0) } }
    }

    @Test func meAndRefreshAgreeWithTheAsyncAPI() async throws {
        let engine = makeEngine()
        try await engine.registerUser("cb@example.com")
        let grant = try await engine.loginUser("cb@example.com")
        let viaCallback = try await me(engine, grant.accessToken).get()
        #expect(viaCallback.session.id == grant.session.id)
        let rotated = try await refresh(engine, .value(grant.refreshToken)).get()
        #expect(rotated.refreshToken != grant.refreshToken)
        // Replay through the callback path compromises exactly as the async path does.
        await #expect(throws: AuthError.refreshTokenReused) { try await self.refresh(engine, .value(grant.refreshToken)).get() }
        await #expect(throws: AuthError.sessionNotActive) { try await self.me(engine, rotated.accessToken).get() }
        await #expect(throws: AuthError.invalidToken) { try await self.me(engine, "nope").get() }
        await #expect(throws: AuthError.invalidPayload([FieldIssue(path: "refreshToken", message: "Expected string")])) {
            try await self.refresh(engine, .notString).get()
        }
    }

    @Test func onTheOwningExecutorTheAnswerIsSynchronous() async throws {
        let engine = makeEngine()
        try await engine.registerUser("local@example.com")
        let grant = try await engine.loginUser("local@example.com")
        let shard = engine.shard(forUser: grant.user.id)
        let answeredInline = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            shard.placement.run {
                let answered = LockedValue(false)
                engine.me(accessToken: grant.accessToken) { result in
                    if case .success = result { answered.withLock { $0 = true } }
                }
                // No hop happened: the completion already ran on this executor.
                c.resume(returning: answered.withLock { $0 } && shard.placement.isCurrent())
            }
        }
        #expect(answeredInline)
    }
}
