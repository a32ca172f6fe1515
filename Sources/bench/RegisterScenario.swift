/// `POST /v1/auth/register` with a fresh, unique email every time (so every request
/// creates a user and hashes a password: Argon2id-bound like login).
struct RegisterScenario: Scenario {
    let tag: String
    var name: String { "register" }
    var endpoints: [String] { ["register"] }
    var checkNames: [String] { ["register status is 201"] }
    var endsByItself: Bool { false }

    func makeUser(connection: Int, encoder: RequestEncoder) -> any VirtualUser {
        RegisterUser(tag: tag, connection: connection, encoder: encoder)
    }
}
