import Engine
import FuzzSupport

/// One in-memory engine with one user logged in, made once per fuzz process.
///
/// Its clock stands still at `FuzzEngineSettings.start`, so the tokens it issues (and the seed
/// tokens, issued the same way) never expire; its secrets are fixed, so seed tokens from an
/// earlier process still pass the signature check and reach the session lookup.
final class TokenFixture: Sendable {
    let engine: AuthEngine
    /// The live session's tokens: the only strings that may verify.
    let grant: TokenGrant

    init() {
        let engine = AuthEngine.inMemory(FuzzEngineSettings.configuration(), clock: ManualClock(FuzzEngineSettings.start))
        self.engine = engine
        grant = Blocking.run {
            do throws(AuthError) {
                _ = try await engine.register(name: .value("Fuzz"), email: .value("fuzz@example.com"), password: .value("fuzz password 1"))
                return try await engine.login(email: .value("fuzz@example.com"), password: .value("fuzz password 1"), client: ClientInfo())
            } catch {
                fatalError("fixture login failed: \(error)")
            }
        }
    }

    /// Verifies `token` as the selector says (0: `me`, 1: `listSessions`, 2: `refresh`) and traps
    /// when a string other than the live token is accepted, or a failure is not a token failure.
    func check(_ selector: UInt8, _ token: String) {
        let engine = self.engine
        switch selector % 3 {
        case 0:
            let result = Blocking.run { () -> AuthError? in
                do throws(AuthError) { _ = try await engine.me(accessToken: token); return nil } catch { return error }
            }
            expect(result, accepted: token == grant.accessToken, token)
        case 1:
            let result = Blocking.run { () -> AuthError? in
                do throws(AuthError) { _ = try await engine.listSessions(accessToken: token); return nil } catch { return error }
            }
            expect(result, accepted: token == grant.accessToken, token)
        default:
            // The live refresh token would rotate the session away; it is checked once, by the seed run.
            guard token != grant.refreshToken else { return }
            let result = Blocking.run { () -> AuthError? in
                do throws(AuthError) {
                    _ = try await engine.refresh(refreshToken: .value(token), client: ClientInfo()); return nil
                } catch { return error }
            }
            expect(result, accepted: false, token)
        }
    }

    private func expect(_ failure: AuthError?, accepted: Bool, _ token: String) {
        switch (failure, accepted) {
        case (nil, true): return
        case (nil, false): fatalError("a token that is not the live one was accepted: \(token.utf8.count) bytes \(Array(token.utf8))")
        case (.some(let error), true): fatalError("the live token was refused: \(error)")
        case (.some(let error), false):
            switch error {
            case .invalidToken, .invalidRefreshToken, .sessionNotFound, .sessionNotActive, .sessionRevoked,
                 .sessionCompromised, .refreshTokenExpired, .refreshTokenReused, .invalidPayload:
                return
            default:
                fatalError("a token failure that is no token failure: \(error)")
            }
        }
    }
}
