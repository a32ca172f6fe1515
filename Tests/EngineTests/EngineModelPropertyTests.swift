import Foundation
import PropertyBased
import Testing
@testable import Engine

/// Random operation sequences against the engine and against a small reference model of
/// the rules; every outcome and the final session states must agree.
@Suite struct EngineModelPropertyTests {
    /// One step: an operation kind and two small selectors.
    struct Step: Sendable, CustomStringConvertible {
        var kind: Int
        var a: Int
        var b: Int
        var description: String { "(\(kind),\(a),\(b))" }
    }

    /// Each step is one integer: kind = n % 8, a = n / 8 % 3, b = n / 32 % 6 (shrinks toward simple steps).
    static let steps = Gen.int(in: 0...191).array(of: 1...80)

    /// The reference model: what each session's chain and status should be.
    struct ModelSession {
        var user: Int
        var tokens: [String]      // every refresh token of the chain, oldest first
        var access: String
        var status: SessionStatus
    }

    @Test func engineAgreesWithTheModel() async {
        await propertyCheck(count: 100, input: Self.steps) { numbers in
            let steps = numbers.map { Step(kind: $0 % 8, a: $0 / 8 % 3, b: $0 / 32 % 6) }
            let clock = ManualClock()
            let engine = makeEngine({
                $0.maxSessionsPerUser = 2
                $0.refreshReuseIntervalSeconds = 0
                // A window longer than the longest run: three failures lock an email for good here.
                $0.loginLockout = LoginLockoutPolicy(maxFailures: 3, windowMilliseconds: 3_600_000)
            }, clock: clock)
            var registered: Set<Int> = []
            var failures: [Int: Int] = [:]
            var sessions: [UUID: ModelSession] = [:]
            var order: [UUID] = []

            for step in steps {
                let email = "user\(step.a)@example.com"
                switch step.kind {
                case 0:   // register
                    let error = await authError { try await engine.registerUser(email) }
                    #expect(error == (registered.contains(step.a) ? .userAlreadyExists : nil), "\(step)")
                    registered.insert(step.a)
                case 1:   // login, right or wrong password
                    let good = step.b % 3 != 0
                    let locked = failures[step.a, default: 0] >= 3
                    do {
                        let grant = try await engine.loginUser(email, password: good ? "correct horse" : "wrong horse")
                        #expect(registered.contains(step.a) && good && !locked, "\(step)")
                        // The cap: the oldest active sessions of this user beyond 2 are revoked.
                        let active = order.filter { sessions[$0]!.user == step.a && sessions[$0]!.status == .active }
                        for id in active.prefix(max(0, active.count - 1)) { sessions[id]!.status = .revoked }
                        sessions[grant.session.id] = ModelSession(user: step.a, tokens: [grant.refreshToken], access: grant.accessToken, status: .active)
                        order.append(grant.session.id)
                    } catch let error as AuthError {
                        if locked {
                            #expect({ if case .rateLimited = error { true } else { false } }(), "\(step)")
                        } else {
                            #expect(error == .invalidCredentials && !(registered.contains(step.a) && good), "\(step)")
                            failures[step.a, default: 0] += 1
                        }
                    } catch {
                        Issue.record("unexpected \(error)")
                    }
                case 2, 3:   // refresh with the current link (b even) or an older one
                    guard !order.isEmpty else { continue }
                    let id = order[step.a % order.count]
                    var s = sessions[id]!
                    let useOld = step.b % 2 == 1 && s.tokens.count > 1
                    let token = useOld ? s.tokens[step.b % (s.tokens.count - 1)] : s.tokens.last!
                    let expected: AuthError? = switch s.status {
                    case .revoked: .sessionRevoked
                    case .compromised: .sessionCompromised
                    case .expired: .refreshTokenExpired   // the model's runs stay well within token lifetimes
                    case .active: useOld ? .refreshTokenReused : nil
                    }
                    do {
                        let grant = try await engine.rotate(token)
                        #expect(expected == nil, "\(step)")
                        s.tokens.append(grant.refreshToken)
                        s.access = grant.accessToken
                    } catch let error as AuthError {
                        #expect(error == expected, "\(step)")
                        if error == .refreshTokenReused { s.status = .compromised }
                    } catch {
                        Issue.record("unexpected \(error)")
                    }
                    sessions[id] = s
                case 4:   // me
                    guard !order.isEmpty else { continue }
                    let s = sessions[order[step.a % order.count]]!
                    let error = await authError { try await engine.me(accessToken: s.access) }
                    #expect(error == (s.status == .active ? nil : .sessionNotActive), "\(step)")
                case 5:   // revoke one session of the same user by id
                    guard !order.isEmpty else { continue }
                    let caller = sessions[order[step.a % order.count]]!
                    let targetID = order[step.b % order.count]
                    let target = sessions[targetID]!
                    let error = await authError { try await engine.revokeSession(accessToken: caller.access, sessionID: targetID.lowercased) }
                    let expected: AuthError? = caller.status != .active ? .sessionNotActive : (target.user != caller.user ? .sessionNotFound : nil)
                    #expect(error == expected, "\(step)")
                    if expected == nil, target.status == .active { sessions[targetID]!.status = .revoked }
                case 6:   // revoke all of the caller's sessions
                    guard !order.isEmpty else { continue }
                    let caller = sessions[order[step.a % order.count]]!
                    let error = await authError { try await engine.revokeAllSessions(accessToken: caller.access) }
                    #expect(error == (caller.status == .active ? nil : .sessionNotActive), "\(step)")
                    if error == nil {
                        for id in order where sessions[id]!.user == caller.user && sessions[id]!.status == .active { sessions[id]!.status = .revoked }
                    }
                default:   // time passes (well within token lifetimes)
                    clock.advance(seconds: Int64(step.b + 1))
                }
            }

            // Final states agree session by session.
            var live: [UUID: SessionStatus] = [:]
            for shard in engine.shards {
                let (state, _) = await shard.capture()
                for id in order { if let s = state.session(id) { live[id] = s.status } }
            }
            #expect(live == sessions.mapValues(\.status))
            let stats = await engine.statistics()
            #expect(stats.users == registered.count)
        }
    }
}
