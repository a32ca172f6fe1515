import NIOCore

/// The virtual user of ``MixedScenario``.
final class MixedUser: VirtualUser {
    private let tag: String
    private let connection: Int
    private let operations: [MixOperation]
    private let sequence: [Int]
    private let encoder: RequestEncoder
    private let health: ByteBuffer
    private var setup: AccountSetup
    private var started = false
    private var cursor = 0
    private var current = 0
    private var accessToken = ""
    private var refreshToken = ""
    private var meRequest = ByteBuffer()
    private var registered = 0
    private var needsLogin = false

    init(tag: String, connection: Int, operations: [MixOperation], sequence: [Int], encoder: RequestEncoder) {
        self.tag = tag
        self.connection = connection
        self.operations = operations
        self.sequence = sequence
        self.encoder = encoder
        health = encoder.get("/health")
        setup = AccountSetup(identity: .make(tag: tag, connection: connection, index: 0))
        cursor = connection % sequence.count
    }

    private func adopt(access: String, refresh: String) {
        if access != accessToken { meRequest = encoder.me(accessToken: access) }
        accessToken = access
        refreshToken = refresh
    }

    func next(now: UInt64) -> VUAction {
        if !started {
            if let action = setup.next(encoder: encoder) { return action }
            adopt(access: setup.accessToken!, refresh: setup.refreshToken!)
            started = true
            return .ready
        }
        let id = setup.identity
        if needsLogin {
            current = operations.count
            return .send(OutgoingRequest(bytes: encoder.login(email: id.email, password: id.password), endpoint: current, expectedStatus: 200))
        }
        current = sequence[cursor]
        cursor = cursor + 1 == sequence.count ? 0 : cursor + 1
        let bytes: ByteBuffer
        var expected = 200
        switch operations[current] {
        case .me: bytes = meRequest
        case .refresh: bytes = encoder.refresh(token: refreshToken)
        case .login: bytes = encoder.login(email: id.email, password: id.password)
        case .health: bytes = health
        case .register:
            registered += 1
            let fresh = Identity.make(tag: tag, connection: connection, index: registered)
            bytes = encoder.register(name: fresh.name, email: fresh.email, password: fresh.password)
            expected = 201
        }
        return .send(OutgoingRequest(bytes: bytes, endpoint: current, expectedStatus: expected))
    }

    func receive(_ response: HTTPResponse, checks: inout CheckTally) {
        if !started { setup.receive(response); return }
        if current == operations.count {
            if response.status == 200,
               let a = JSONFieldScanner.string("accessToken", in: response.body),
               let r = JSONFieldScanner.string("refreshToken", in: response.body) {
                adopt(access: a, refresh: r)
                needsLogin = false
            }
            return
        }
        let op = operations[current]
        checks.record(current, response.status == (op == .register ? 201 : 200))
        if (op == .refresh || op == .login) && response.status == 200,
           let a = JSONFieldScanner.string("accessToken", in: response.body),
           let r = JSONFieldScanner.string("refreshToken", in: response.body) {
            adopt(access: a, refresh: r)
        } else if op == .refresh {
            needsLogin = true
        }
    }

    func transportFailed() {
        if started && (current == operations.count || operations[current] == .refresh) { needsLogin = true }
    }
}
