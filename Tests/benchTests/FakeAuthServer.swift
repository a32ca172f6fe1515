import Foundation
@testable import bench

/// A tiny in-memory stand-in for authd with the routes the scenarios use:
/// register, login, refresh (with rotation and replay detection) and me.
/// Tokens are opaque counters; replay of a rotated refresh token answers 401
/// REFRESH_TOKEN_REUSED like the real contract.
final class FakeAuthServer: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    private let lock = NSLock()
    private var users: [String: String] = [:]
    private var refreshTokens: [String: (email: String, used: Bool)] = [:]
    private var accessTokens: [String: String] = [:]
    private var counter = 0
    /// Status `/v1/auth/me` answers with (to exercise status accounting).
    let meStatus: Int

    init(meStatus: Int = 200) { self.meStatus = meStatus }

    /// Requests seen per route ("POST /v1/auth/register", ...).
    private(set) var hits: [String: Int] = [:]

    func hitCount(_ route: String) -> Int { lock.withLock { hits[route] ?? 0 } }

    private func json(_ body: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    private func issue(for email: String) -> String {
        counter += 1
        let access = "access-\(counter)", refresh = "refresh-\(counter)"
        accessTokens[access] = email
        refreshTokens[refresh] = (email, false)
        return #"{"accessToken":"\#(access)","refreshToken":"\#(refresh)","user":{"email":"\#(email)"},"session":{"sessionId":"s"}}"#
    }

    func respond(_ r: RouteHandler.Request) -> (status: Int, body: String) {
        lock.withLock {
            let route = "\(r.method) \(r.uri)"
            hits[route, default: 0] += 1
            let b = json(r.body)
            switch route {
            case "GET /health", "GET /ready":
                return (200, #"{"status":"ok"}"#)
            case "POST /v1/auth/register":
                guard let email = b["email"] as? String, let pw = b["password"] as? String, b["name"] is String else {
                    return (400, #"{"error":{"code":"INVALID_PAYLOAD"}}"#)
                }
                if users[email] != nil { return (409, #"{"error":{"code":"USER_ALREADY_EXISTS"}}"#) }
                users[email] = pw
                return (201, #"{"user":{"id":"\#(users.count)","email":"\#(email)"}}"#)
            case "POST /v1/auth/sessions":
                guard let email = b["email"] as? String, let pw = b["password"] as? String, users[email] == pw else {
                    return (401, #"{"error":{"code":"INVALID_CREDENTIALS"}}"#)
                }
                return (200, issue(for: email))
            case "POST /v1/auth/tokens/refresh":
                guard let token = b["refreshToken"] as? String, let entry = refreshTokens[token] else {
                    return (401, #"{"error":{"code":"INVALID_REFRESH_TOKEN"}}"#)
                }
                if entry.used { return (401, #"{"error":{"code":"REFRESH_TOKEN_REUSED"}}"#) }
                refreshTokens[token] = (entry.email, true)
                return (200, issue(for: entry.email))
            case "GET /v1/auth/me":
                guard let auth = r.header("Authorization"), auth.hasPrefix("Bearer "),
                      let email = accessTokens[String(auth.dropFirst(7))] else {
                    return (401, #"{"error":{"code":"INVALID_TOKEN"}}"#)
                }
                return (meStatus, #"{"user":{"email":"\#(email)"},"session":{}}"#)
            default:
                return (404, #"{"error":{"code":"NOT_FOUND"}}"#)
            }
        }
    }
}
