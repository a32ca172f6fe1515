/// A `session_lifecycle` user of the seed profile: register -> login -> me, pause,
/// again, until the scenario's duration is over.
final class SessionLifecycleUser: VirtualUser {
    private typealias E = SeedScenario.Endpoint
    private typealias C = SeedScenario.Check
    private let tag: String
    private let connection: Int
    private let duration: UInt64
    private let pause: UInt64
    private let encoder: RequestEncoder
    private var startedAt: UInt64?
    private var iteration = 0
    private var step = 0
    private var accessToken: String?

    init(tag: String, connection: Int, duration: UInt64, pause: UInt64, encoder: RequestEncoder) {
        self.tag = tag
        self.connection = connection
        self.duration = duration
        self.pause = pause
        self.encoder = encoder
    }

    private var identity: Identity { .make(tag: tag, connection: connection, index: iteration) }

    private var isReady = false

    func next(now: UInt64) -> VUAction {
        guard isReady else { isReady = true; return .ready } // no setup
        let t0 = startedAt ?? now
        startedAt = t0
        switch step {
        case 0:
            guard now - t0 < duration else { return .finished }
            let id = identity
            return .send(OutgoingRequest(bytes: encoder.register(name: id.name, email: id.email, password: id.password), endpoint: E.register.rawValue, expectedStatus: 201))
        case 1:
            return .send(OutgoingRequest(bytes: encoder.login(email: identity.email, password: identity.password), endpoint: E.login.rawValue, expectedStatus: 200))
        case 2:
            if let accessToken { return .send(OutgoingRequest(bytes: encoder.me(accessToken: accessToken), endpoint: E.me.rawValue, expectedStatus: 200)) }
            step = 3
            return next(now: now)
        default:
            step = 0
            iteration += 1
            return .pause(nanoseconds: pause)
        }
    }

    func receive(_ response: HTTPResponse, checks: inout CheckTally) {
        switch step {
        case 0:
            checks.record(C.register.rawValue, response.status == 201)
        case 1:
            checks.record(C.login.rawValue, response.status == 200)
            accessToken = response.status == 200 ? JSONFieldScanner.string("accessToken", in: response.body) : nil
        default:
            checks.record(C.me.rawValue, response.status == 200)
        }
        step += 1
    }

    func transportFailed() { step += 1 }
}
