import AsyncHTTPClient
import Locking
import NIOCore
import NIOHTTP1
import NIOPosix

/// POSTs JSON to etcd's gateway: picks the endpoint, bounds the time, classifies failures.
///
/// A call starts at the current endpoint (the last one that answered). When an endpoint cannot
/// be connected to — the request certainly never reached it — the next one is tried, within the
/// same deadline. Any other failure (no answer in time, the connection dropped mid-request, etcd
/// saying it is unavailable) ends the call, because the request may have been applied and
/// sending it again elsewhere could apply it twice; the current endpoint then moves on so that
/// the caller's next call goes to another member.
final class GatewayTransport: Sendable {
    /// The endpoints, normalised (no trailing slash), in the order given.
    let endpoints: [String]
    /// The bound on one call, from its start to its whole answer.
    let requestTimeout: Duration
    /// The HTTP client, configured here and owned by this transport.
    let http: HTTPClient
    private let current = LockedValue(0)

    /// Upper bound on a unary answer's body (etcd's own request limit is 1.5 MiB).
    static let maximumBodySize = 16 << 20

    init(endpoints: [String], requestTimeout: Duration, eventLoopGroup: any EventLoopGroup) {
        precondition(!endpoints.isEmpty, "an etcd client needs at least one endpoint")
        precondition(requestTimeout > .zero, "the request timeout must be positive")
        self.endpoints = endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.requestTimeout = requestTimeout
        var configuration = HTTPClient.Configuration()
        // Fail a connection attempt at once instead of retrying with backoff until the
        // deadline: the next endpoint is the better retry.
        configuration.connectionPool.retryConnectionEstablishment = false
        // A black-holed member must leave time for the next one.
        configuration.timeout.connect = TimeAmount(max(requestTimeout / 2, .milliseconds(100)))
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        self.http = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
    }

    /// The endpoint the next call starts with.
    var currentEndpoint: String { endpoints[current.withLock { $0 }] }

    /// POSTs `body` to `path` and returns the answer's JSON object. An error answer becomes
    /// ``EtcdError/server(endpoint:status:code:message:)``, or ``EtcdError/leaseNotFound(id:)``
    /// when etcd says so and `lease` names the lease the call was about.
    func post(_ path: String, _ body: JSONValue, lease: Int64? = nil) async throws(EtcdError) -> GatewayObject {
        let (index, status, bytes) = try await send(path, body.encoded())
        let endpoint = endpoints[index]
        let error: EtcdError
        if status == 200 {
            // Streaming calls (keepalive) answer a sequence of objects: take the first.
            var framer = JSONObjectFramer()
            guard let first = try framer.append(bytes).first else {
                throw .malformedResponse("no JSON object in \(GatewayObject.excerpt(bytes))")
            }
            let object = try GatewayObject(json: first)
            guard object.has("error") else { return object }
            error = GatewayCodec.error(status: status, body: object, endpoint: endpoint)
        } else {
            error = GatewayCodec.error(status: status, body: bytes, endpoint: endpoint)
        }
        throw classify(error, from: index, lease: lease)
    }

    /// Opens a streaming POST and returns the response whose body the caller reads; the
    /// deadline covers the answer's head only.
    func openStream(_ path: String, _ body: JSONValue) async throws(EtcdError) -> (String, HTTPClientResponse) {
        let request = makeRequest(path, body.encoded())
        var failures: [EtcdEndpointFailure] = []
        for index in order() {
            let endpoint = endpoints[index]
            do {
                let response = try await http.execute(request(endpoint), timeout: TimeAmount(requestTimeout))
                stick(to: index)
                if response.status == .ok { return (endpoint, response) }
                let bytes = (try? await response.body.collect(upTo: Self.maximumBodySize)).map { Array($0.readableBytesView) } ?? []
                throw classify(GatewayCodec.error(status: Int(response.status.code), body: bytes, endpoint: endpoint), from: index)
            } catch let error as EtcdError {
                throw error
            } catch {
                try settle(error, at: index, into: &failures)
            }
        }
        throw .unreachable(failures)
    }

    func shutdown() async throws(EtcdError) {
        do {
            try await http.shutdown()
        } catch {
            throw .connectionLost(endpoint: currentEndpoint, underlying: error)
        }
    }

    // MARK: Sending

    /// Sends once to the first endpoint that can be connected to; returns its index, the
    /// status and the whole body.
    private func send(_ path: String, _ body: [UInt8]) async throws(EtcdError) -> (Int, Int, [UInt8]) {
        let request = makeRequest(path, body)
        let deadline = ContinuousClock.now + requestTimeout
        var failures: [EtcdEndpointFailure] = []
        for index in order() {
            let endpoint = endpoints[index]
            let remaining = deadline - .now
            guard remaining > .zero else { throw .timeout(endpoint: endpoint, after: requestTimeout) }
            do {
                let (status, bytes) = try await exchange(request(endpoint), within: remaining)
                stick(to: index)
                return (index, status, bytes)
            } catch {
                try settle(error, at: index, into: &failures)
            }
        }
        throw .unreachable(failures)
    }

    /// One request and its whole answer, raced against `timeout` (AHC's deadline covers the
    /// head only; the race bounds the body too, and cancelling the loser cancels the request).
    private func exchange(_ request: HTTPClientRequest, within timeout: Duration) async throws -> (Int, [UInt8]) {
        let http = self.http
        return try await withThrowingTaskGroup(of: (Int, [UInt8])?.self) { group in
            group.addTask {
                let response = try await http.execute(request, timeout: TimeAmount(timeout))
                let body = try await response.body.collect(upTo: Self.maximumBodySize)
                return (Int(response.status.code), Array(body.readableBytesView))
            }
            group.addTask {
                try await Self.expiry(after: timeout, on: http.eventLoopGroup.any())
                return nil
            }
            defer { group.cancelAll() }
            guard let answer = try await group.next() ?? nil else { throw TimedOut() }
            return answer
        }
    }

    /// Returns after `timeout`, timed by an event loop (an epoll timeout), not by a dispatch
    /// timer: in a process with many short-lived `Task.sleep(for:)` timers this toolchain's
    /// libdispatch was seen to leave its continuous-clock timer disarmed for good, and every
    /// such sleep in the process then never returned (docs/etcd.md, Tests).
    static func expiry(after timeout: Duration, on loop: any EventLoop) async throws {
        let promise = loop.makePromise(of: Void.self)
        let scheduled = loop.scheduleTask(in: TimeAmount(timeout)) { promise.succeed() }
        try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            scheduled.cancel()
            promise.fail(CancellationError())
        }
    }

    private func makeRequest(_ path: String, _ body: [UInt8]) -> @Sendable (String) -> HTTPClientRequest {
        { endpoint in
            var request = HTTPClientRequest(url: endpoint + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            return request
        }
    }

    /// After a failed attempt at `index`: records a connection failure (the caller tries the
    /// next endpoint), or throws the error that ends the call.
    private func settle(
        _ error: any Error, at index: Int, into failures: inout [EtcdEndpointFailure]
    ) throws(EtcdError) {
        let endpoint = endpoints[index]
        switch failure(error) {
        case .notConnected:
            failures.append(EtcdEndpointFailure(endpoint: endpoint, underlying: error))
        case .timedOut:
            moveAway(from: index)
            throw .timeout(endpoint: endpoint, after: requestTimeout)
        case .lost:
            moveAway(from: index)
            throw .connectionLost(endpoint: endpoint, underlying: error)
        case .cancelled:
            throw .cancelled
        }
    }

    // MARK: Endpoint choice

    /// Every endpoint index once, starting with the current one.
    private func order() -> [Int] {
        let start = current.withLock { $0 }
        return (0..<endpoints.count).map { (start + $0) % endpoints.count }
    }

    private func stick(to index: Int) {
        current.withLock { $0 = index }
    }

    /// After an unclear failure at `index`, the next call starts with the following endpoint
    /// (unless another call has already moved on).
    private func moveAway(from index: Int) {
        current.withLock { if $0 == index { $0 = (index + 1) % endpoints.count } }
    }

    /// Maps an error answer to the error a caller sees, moving away from a member that says it
    /// is unavailable (no leader, stopping, timed out inside etcd).
    private func classify(_ error: EtcdError, from index: Int, lease: Int64? = nil) -> EtcdError {
        guard case let .server(_, _, code, message) = error else { return error }
        if code == EtcdError.unavailableCode { moveAway(from: index) }
        if let lease, message == GatewayCodec.leaseNotFoundMessage { return .leaseNotFound(id: lease) }
        return error
    }

    // MARK: Failure kinds

    private struct TimedOut: Error {}

    private enum Failure {
        /// The request never left: the next endpoint may be tried.
        case notConnected
        /// No answer in time: outcome unknown.
        case timedOut
        /// The connection broke after sending: outcome unknown.
        case lost
        /// The calling task was cancelled.
        case cancelled
    }

    private func failure(_ error: any Error) -> Failure {
        if Task.isCancelled || error is CancellationError { return .cancelled }
        if error is TimedOut { return .timedOut }
        if error is NIOConnectionError || error is SocketAddressError { return .notConnected }
        if let error = error as? ChannelError, case .connectTimeout = error { return .notConnected }
        if let error = error as? IOError,
            [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode)
        {
            return .notConnected
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout: return .timedOut
            case .cancelled: return .cancelled
            case .connectTimeout, .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown,
                .getConnectionFromPoolTimeout:
                return .notConnected
            default: return .lost
            }
        }
        return .lost
    }
}

extension TimeAmount {
    /// A Swift `Duration` as NIO's `TimeAmount` (nanosecond precision, saturating).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(overflow ? .max : nanos.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue)
    }
}
