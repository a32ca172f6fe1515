import NIOCore

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
