/// `GET /v1/auth/me`: each connection registers and logs in one user during setup,
/// then asks for its profile with the same pre-encoded request forever.
struct MeScenario: Scenario {
    let tag: String
    var name: String { "me" }
    var endpoints: [String] { ["me"] }
    var checkNames: [String] { ["me status is 200"] }
    var endsByItself: Bool { false }

    func makeUser(connection: Int, encoder: RequestEncoder) -> any VirtualUser {
        MeUser(identity: .make(tag: tag, connection: connection, index: 0), encoder: encoder)
    }
}
