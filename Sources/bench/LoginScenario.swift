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

/// The virtual user of ``LoginScenario``.
final class LoginUser: VirtualUser {
    private let encoder: RequestEncoder
    private var toRegister: [Identity]
    private let logins: [ByteBuffer]
    private var registering = true
    private var cursor = 0
    private var failure: String?

    init(toRegister: [Identity], logins: [ByteBuffer], encoder: RequestEncoder) {
        self.toRegister = toRegister
        self.logins = logins
        self.encoder = encoder
    }

    func next(now: UInt64) -> VUAction {
        if let failure { return .failed(failure) }
        if registering {
            if let id = toRegister.last {
                return .send(OutgoingRequest(bytes: encoder.register(name: id.name, email: id.email, password: id.password), endpoint: 0, expectedStatus: 201))
            }
            registering = false
            return .ready
        }
        let request = logins[cursor]
        cursor = cursor + 1 == logins.count ? 0 : cursor + 1
        return .send(OutgoingRequest(bytes: request, endpoint: 0, expectedStatus: 200))
    }

    func receive(_ response: HTTPResponse, checks: inout CheckTally) {
        if registering {
            if response.status == 201 || response.status == 409 { toRegister.removeLast() }
            else { failure = "register answered \(response.status): \(String(buffer: response.body).prefix(200))" }
            return
        }
        checks.record(0, response.status == 200)
    }

    func transportFailed() {}
}
