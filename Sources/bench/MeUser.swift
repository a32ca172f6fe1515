/// The virtual user of ``MeScenario``.
final class MeUser: VirtualUser {
    private let encoder: RequestEncoder
    private var setup: AccountSetup
    private var request: OutgoingRequest?

    init(identity: Identity, encoder: RequestEncoder) {
        self.encoder = encoder
        setup = AccountSetup(identity: identity)
    }

    func next(now: UInt64) -> VUAction {
        if let request { return .send(request) }
        if let action = setup.next(encoder: encoder) { return action }
        request = OutgoingRequest(bytes: encoder.me(accessToken: setup.accessToken!), endpoint: 0, expectedStatus: 200)
        return .ready
    }

    func receive(_ response: HTTPResponse, checks: inout CheckTally) {
        if request == nil { setup.receive(response); return }
        checks.record(0, response.status == 200)
    }

    func transportFailed() {}
}
