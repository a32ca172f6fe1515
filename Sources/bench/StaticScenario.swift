import NIOCore

/// The same GET request over and over: `/health` of a target, or `/` of the
/// ceiling's hello server. No setup; the request is encoded once per connection.
struct StaticScenario: Scenario {
    let name: String
    let path: String
    var endpoints: [String] { [name] }
    var checkNames: [String] { ["\(name) status is 200"] }
    var endsByItself: Bool { false }

    func makeUser(connection: Int, encoder: RequestEncoder) -> any VirtualUser {
        StaticUser(request: encoder.get(path))
    }
}

/// The virtual user of ``StaticScenario``: sends one pre-encoded request forever.
final class StaticUser: VirtualUser {
    private let request: OutgoingRequest

    init(request: ByteBuffer) {
        self.request = OutgoingRequest(bytes: request, endpoint: 0, expectedStatus: 200)
    }

    private var isReady = false

    func next(now: UInt64) -> VUAction {
        guard isReady else { isReady = true; return .ready } // no setup
        return .send(request)
    }

    func receive(_ response: HTTPResponse, checks: inout CheckTally) {
        checks.record(0, response.status == 200)
    }

    func transportFailed() {}
}
