import NIOCore

/// The register-then-login sequence many scenarios run before their load phase
/// (not measured). It keeps the tokens the login answer carried.
struct AccountSetup {
    let identity: Identity
    private var step = 0
    private(set) var accessToken: String?
    private(set) var refreshToken: String?
    private(set) var failure: String?

    init(identity: Identity) { self.identity = identity }

    /// True once both tokens are known.
    var isDone: Bool { step == 2 }

    /// The next setup request, `.failed` after a failure, or nil when done.
    func next(encoder: RequestEncoder) -> VUAction? {
        if let failure { return .failed(failure) }
        switch step {
        case 0:
            return .send(OutgoingRequest(
                bytes: encoder.register(name: identity.name, email: identity.email, password: identity.password),
                endpoint: 0, expectedStatus: 201))
        case 1:
            return .send(OutgoingRequest(bytes: encoder.login(email: identity.email, password: identity.password), endpoint: 0, expectedStatus: 200))
        default:
            return nil
        }
    }

    /// Feeds the answer to the request last returned by ``next(encoder:)``.
    mutating func receive(_ response: HTTPResponse) {
        switch step {
        case 0:
            // 409: the account exists already (a retried setup); logging in is enough.
            if response.status == 201 || response.status == 409 { step = 1 }
            else { failure = "register answered \(response.status): \(String(buffer: response.body).prefix(200))" }
        case 1:
            if response.status == 200,
               let a = JSONFieldScanner.string("accessToken", in: response.body),
               let r = JSONFieldScanner.string("refreshToken", in: response.body) {
                accessToken = a
                refreshToken = r
                step = 2
            } else {
                failure = "login answered \(response.status): \(String(buffer: response.body).prefix(200))"
            }
        default:
            break
        }
    }
}
