/// The seed's k6 profile, reproduced so its published run can be set beside ours.
///
/// - `session_lifecycle`: `lifecycleUsers` users for `duration`; each iteration
///   registers, logs in, reads `/me`, then pauses `pause` (k6 `sleep(1)`).
/// - `refresh_replay`: `replayUsers` users x `iterations`, starting at
///   `replayStart`; each iteration registers, logs in, rotates the refresh token,
///   then replays the old one and expects 401 `REFRESH_TOKEN_REUSED`.
///
/// Connections `0..<lifecycleUsers` are lifecycle users, the rest replay users.
/// The run ends when every user is done, as k6's does.
struct SeedScenario: Scenario {
    /// The seed's published figures (k6, Node + PostgreSQL + Redis).
    static let publishedRequestsPerSecond = 25.01
    static let publishedP95Ms = 684.36
    static let publishedP99Ms = 900.44

    enum Endpoint: Int { case register, login, me, refresh, replay }
    enum Check: Int { case register, login, me, refresh, rotated, replayStatus, replayCode }

    let tag: String
    var lifecycleUsers = 5
    var replayUsers = 5
    /// Length of the session_lifecycle scenario, in nanoseconds (seed: 20 s).
    var duration: UInt64 = 20_000_000_000
    /// Start of refresh_replay, in nanoseconds (seed: 2 s).
    var replayStart: UInt64 = 2_000_000_000
    var iterations = 25
    var pause: UInt64 = 1_000_000_000

    var name: String { "seed" }
    var endpoints: [String] { ["register", "login", "me", "refresh", "refresh(replay)"] }
    var checkNames: [String] {
        ["register status is 201", "login status is 200", "me status is 200", "refresh status is 200",
         "refresh rotates token", "replay status is 401", "replay code is REFRESH_TOKEN_REUSED"]
    }
    var endsByItself: Bool { true }
    var connections: Int { lifecycleUsers + replayUsers }

    func makeUser(connection: Int, encoder: RequestEncoder) -> any VirtualUser {
        if connection < lifecycleUsers {
            return SessionLifecycleUser(tag: tag, connection: connection, duration: duration, pause: pause, encoder: encoder)
        }
        return RefreshReplayUser(tag: tag, connection: connection, start: replayStart, iterations: iterations, encoder: encoder)
    }
}
