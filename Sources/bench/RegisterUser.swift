/// The virtual user of ``RegisterScenario``.
final class RegisterUser: VirtualUser {
    private let tag: String
    private let connection: Int
    private let encoder: RequestEncoder
    private var counter = 0

    init(tag: String, connection: Int, encoder: RequestEncoder) {
        self.tag = tag
        self.connection = connection
        self.encoder = encoder
    }

    private var isReady = false

    func next(now: UInt64) -> VUAction {
        guard isReady else { isReady = true; return .ready } // no setup
        counter += 1
        let id = Identity.make(tag: tag, connection: connection, index: counter)
        return .send(OutgoingRequest(bytes: encoder.register(name: id.name, email: id.email, password: id.password), endpoint: 0, expectedStatus: 201))
    }

    func receive(_ response: HTTPResponse, checks: inout CheckTally) {
        checks.record(0, response.status == 201)
    }

    func transportFailed() {}
}
