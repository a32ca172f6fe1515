import Engine
import Foundation

/// What the HTTP front needs from the auth core.
///
/// `AuthEngine` conforms to it; the protocol exists so the HTTP layer can be
/// tested against a scripted service (every engine error, overload, storage
/// failure) without argon2 or a data directory. It holds no business rule:
/// every method is a straight call into the engine.
public protocol AuthService: Sendable {
    /// Creates a user; fields arrive exactly as the JSON body had them.
    func register(name: FieldInput, email: FieldInput, password: FieldInput) async throws(AuthError) -> UserView
    /// Verifies a password and opens a session.
    func login(email: FieldInput, password: FieldInput, client: ClientInfo) async throws(AuthError) -> TokenGrant
    /// Rotates a refresh token; replay compromises the session.
    func refresh(refreshToken: FieldInput, client: ClientInfo) async throws(AuthError) -> TokenGrant
    /// The user and session behind an access token.
    func me(accessToken: String) async throws(AuthError) -> (user: UserView, session: SessionView)
    /// The caller's sessions, the current one flagged.
    func listSessions(accessToken: String) async throws(AuthError) -> [SessionView]
    /// Revokes one of the caller's sessions by its public id.
    func revokeSession(accessToken: String, sessionID: String) async throws(AuthError)
    /// Revokes every session of the caller; returns how many were active.
    func revokeAllSessions(accessToken: String) async throws(AuthError) -> Int
    /// Revokes the session a refresh token belongs to.
    func revokeCurrentSession(refreshToken: FieldInput) async throws(AuthError)
    /// Takes one token from a rate-limit bucket.
    func consume(_ key: RateLimitKey, capacity: Int, windowMilliseconds: Int) async -> RateLimitDecision
    /// `me` with a completion, for the event-loop path (the engine answers without a task).
    func me(accessToken: String, completion: @escaping @Sendable (Result<(user: UserView, session: SessionView), AuthError>) -> Void)
    /// `refresh` with a completion, called once the rotation is durable.
    func refresh(refreshToken: FieldInput, client: ClientInfo, completion: @escaping @Sendable (Result<TokenGrant, AuthError>) -> Void)
    /// `consume` with a completion.
    func consume(_ key: RateLimitKey, capacity: Int, windowMilliseconds: Int, completion: @escaping @Sendable (RateLimitDecision) -> Void)
    /// False until recovery finished, and while the WAL cannot write.
    var isReady: Bool { get }
    /// Counters and gauges for `/metrics`, read at scrape time.
    func statistics() async -> EngineStatistics
    /// The JWK Set of `/.well-known/jwks.json` (RFC 7517): the access tokens' public keys.
    func jwksDocument() -> [UInt8]
    /// How long the JWK Set may be cached, in seconds (`JWKS_MAX_AGE`).
    var jwksMaxAgeSeconds: Int64 { get }
}

extension AuthService {
    /// No public keys (a service whose access tokens are HS256).
    public func jwksDocument() -> [UInt8] { Array(#"{"keys":[]}"#.utf8) }

    public var jwksMaxAgeSeconds: Int64 { 300 }

    /// Bridges to the async `me` on a task, for services without an event-loop path.
    public func me(accessToken: String, completion: @escaping @Sendable (Result<(user: UserView, session: SessionView), AuthError>) -> Void) {
        Task {
            do throws(AuthError) { completion(.success(try await me(accessToken: accessToken))) } catch { completion(.failure(error)) }
        }
    }

    /// Bridges to the async `refresh` on a task.
    public func refresh(refreshToken: FieldInput, client: ClientInfo, completion: @escaping @Sendable (Result<TokenGrant, AuthError>) -> Void) {
        Task {
            do throws(AuthError) { completion(.success(try await refresh(refreshToken: refreshToken, client: client))) } catch {
                completion(.failure(error))
            }
        }
    }

    /// Bridges to the async `consume` on a task.
    public func consume(_ key: RateLimitKey, capacity: Int, windowMilliseconds: Int, completion: @escaping @Sendable (RateLimitDecision) -> Void) {
        Task { completion(await consume(key, capacity: capacity, windowMilliseconds: windowMilliseconds)) }
    }
}
