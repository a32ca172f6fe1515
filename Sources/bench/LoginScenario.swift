import NIOCore

/// `POST /v1/auth/sessions`: setup registers `users` accounts (spread over the
/// connections); the load then logs them in round robin with pre-encoded requests.
/// This is bound by Argon2id password hashing on the server, on purpose.
struct LoginScenario: Scenario {
    let tag: String
    let users: Int
    let connections: Int
    var name: String { "login" }
    var endpoints: [String] { ["login"] }
    var checkNames: [String] { ["login status is 200"] }
    var endsByItself: Bool { false }

    /// Identity number `i` (0..<users); registered by connection `i % connections`.
    func identity(_ i: Int) -> Identity { .make(tag: tag, connection: i % connections, index: i / connections) }

    func makeUser(connection: Int, encoder: RequestEncoder) -> any VirtualUser {
        let own = stride(from: connection, to: users, by: connections).map(identity)
        let logins = (0..<users).map { i -> ByteBuffer in
            let id = identity((connection + i) % users)
            return encoder.login(email: id.email, password: id.password)
        }
        return LoginUser(toRegister: own, logins: logins, encoder: encoder)
    }
}
