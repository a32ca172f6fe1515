/// The virtual user of ``RefreshScenario``.
final class RefreshUser: VirtualUser {
    private let encoder: RequestEncoder
    private var setup: AccountSetup
    private var token: String?
    private var needsLogin = false
    private var lastWasLogin = false
    private var started = false

    init(identity: Identity, encoder: RequestEncoder) {
        self.encoder = encoder
        setup = AccountSetup(identity: identity)
    }

    func next(now: UInt64) -> VUAction {
        if !started {
            if let action = setup.next(encoder: encoder) { return action }
            token = setup.refreshToken
            started = true
            return .ready
        }
        if needsLogin || token == nil {
            lastWasLogin = true
            let id = setup.identity
            return .send(OutgoingRequest(bytes: encoder.login(email: id.email, password: id.password), endpoint: 1, expectedStatus: 200))
        }
        lastWasLogin = false
        return .send(OutgoingRequest(bytes: encoder.refresh(token: token!), endpoint: 0, expectedStatus: 200))
    }

    func receive(_ response: HTTPResponse, checks: inout CheckTally) {
        if !started { setup.receive(response); return }
        let newToken = response.status == 200 ? JSONFieldScanner.string("refreshToken", in: response.body) : nil
        if lastWasLogin {
            token = newToken
            needsLogin = newToken == nil
            return
        }
        checks.record(0, response.status == 200)
        checks.record(1, newToken != nil && newToken != token)
        if let newToken { token = newToken } else { needsLogin = true }
    }

    func transportFailed() { if started { needsLogin = true } }
}
