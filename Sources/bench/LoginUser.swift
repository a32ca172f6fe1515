import NIOCore

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
