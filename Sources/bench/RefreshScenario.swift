/// `POST /v1/auth/tokens/refresh`: each connection owns one session (registered and
/// logged in during setup) and rotates its refresh chain as fast as answers come,
/// reading the new `refreshToken` from every answer. A failed rotation (the chain
/// is then unknown) is followed by a fresh login, reported as `login(recovery)`.
struct RefreshScenario: Scenario {
    let tag: String
    var name: String { "refresh" }
    var endpoints: [String] { ["refresh", "login(recovery)"] }
    var checkNames: [String] { ["refresh status is 200", "refresh token rotated"] }
    var endsByItself: Bool { false }

    func makeUser(connection: Int, encoder: RequestEncoder) -> any VirtualUser {
        RefreshUser(identity: .make(tag: tag, connection: connection, index: 0), encoder: encoder)
    }
}
