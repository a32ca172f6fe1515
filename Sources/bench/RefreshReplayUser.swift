/// A `refresh_replay` user of the seed profile: after `start`, `iterations` times
/// register -> login -> refresh (rotated) -> replay the old refresh token, which
/// must be refused with 401 `REFRESH_TOKEN_REUSED`.
final class RefreshReplayUser: VirtualUser {
    private typealias E = SeedScenario.Endpoint
    private typealias C = SeedScenario.Check
    private let tag: String
    private let connection: Int
    private let start: UInt64
    private let iterations: Int
    private let encoder: RequestEncoder
    private var startedAt: UInt64?
    private var iteration = 0
    private var step = 0
    private var firstToken: String?
    private var secondToken: String?

    init(tag: String, connection: Int, start: UInt64, iterations: Int, encoder: RequestEncoder) {
        self.tag = tag
        self.connection = connection
        self.start = start
        self.iterations = iterations
        self.encoder = encoder
    }

    private var identity: Identity { .make(tag: tag, connection: connection, index: iteration) }

    private var isReady = false

    func next(now: UInt64) -> VUAction {
        guard isReady else { isReady = true; return .ready } // no setup
        if startedAt == nil {
            startedAt = now
            if start > 0 { return .pause(nanoseconds: start) }
        }
        guard iteration < iterations else { return .finished }
        let id = identity
        switch step {
        case 0:
            return .send(OutgoingRequest(bytes: encoder.register(name: id.name, email: id.email, password: id.password), endpoint: E.register.rawValue, expectedStatus: 201))
        case 1:
            return .send(OutgoingRequest(bytes: encoder.login(email: id.email, password: id.password), endpoint: E.login.rawValue, expectedStatus: 200))
        case 2:
            if let firstToken { return .send(OutgoingRequest(bytes: encoder.refresh(token: firstToken), endpoint: E.refresh.rawValue, expectedStatus: 200)) }
        case 3:
            if let firstToken, secondToken != nil {
                return .send(OutgoingRequest(bytes: encoder.refresh(token: firstToken), endpoint: E.replay.rawValue, expectedStatus: 401))
            }
        default:
            break
        }
        // Iteration over (or cut short by a failed step).
        step = 0
        firstToken = nil
        secondToken = nil
        iteration += 1
        return next(now: now)
    }

    func receive(_ response: HTTPResponse, checks: inout CheckTally) {
        switch step {
        case 0:
            checks.record(C.register.rawValue, response.status == 201)
        case 1:
            checks.record(C.login.rawValue, response.status == 200)
            firstToken = response.status == 200 ? JSONFieldScanner.string("refreshToken", in: response.body) : nil
        case 2:
            checks.record(C.refresh.rawValue, response.status == 200)
            secondToken = response.status == 200 ? JSONFieldScanner.string("refreshToken", in: response.body) : nil
            checks.record(C.rotated.rawValue, secondToken != nil && secondToken != firstToken)
        default:
            checks.record(C.replayStatus.rawValue, response.status == 401)
            checks.record(C.replayCode.rawValue, JSONFieldScanner.string("code", in: response.body) == "REFRESH_TOKEN_REUSED")
        }
        step += 1
    }

    func transportFailed() { step = 4 }
}
