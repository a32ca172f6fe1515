import NIOCore
import NIOHTTP1

/// Drives one keep-alive connection and its virtual user through setup, warmup,
/// the measured window and the drain, and accounts for every answer.
///
/// A driver is confined to its event loop (like a channel handler): no locks, no
/// atomics, no allocation per request beyond what the user's request needs. At
/// most one request is in flight (HTTP/1.1 without pipelining, like wrk and k6).
/// In closed loop the next request goes out as soon as the answer arrives; in open
/// loop it goes out at its due time from ``OpenLoopSchedule`` (or at once when it is
/// already late) and its latency is counted from that due time.
final class ConnectionDriver {
    /// Where the connection is in the run.
    enum Phase: Equatable { case idle, setup, waitingForStart, running, draining, stopped }

    /// Index of the connection in the run (also the open-loop slot).
    let id: Int
    let loop: any EventLoop
    private let connector: Connector
    private let user: any VirtualUser
    private let state: LoopState

    private(set) var phase = Phase.idle
    private var window: RunWindow?
    private var channel: (any Channel)?
    /// The context requests are written through (the front handler of `channel`).
    private var writeContext: ChannelHandlerContext?
    /// `--client nio`: the context behind NIOHTTP1's decoder, to announce each request.
    private var decoderObserver: ChannelHandlerContext?
    /// Bytes received and not yet parsed. Reset to ``emptyBuffer`` once everything
    /// is parsed, so it does not keep NIO's receive buffer alive (NIO reuses that
    /// buffer for the next read when nobody else holds it).
    private var readBuffer = ConnectionDriver.emptyBuffer
    private static let emptyBuffer = ByteBuffer()

    private(set) var waiting = false
    private var inFlightEndpoint = 0
    private var inFlightExpected = 200
    private var dueAt: UInt64 = 0
    private var sentAt: UInt64 = 0

    /// A request that is waiting for its due time or for a connection.
    private var pendingSend: (request: OutgoingRequest, due: UInt64)?
    /// Due-time, pause or reconnect-backoff timer.
    private var timer: Scheduled<Void>?
    private var openIndex = 0
    private var setupPromise: EventLoopPromise<Void>?
    private var donePromise: EventLoopPromise<Void>?

    init(id: Int, loop: any EventLoop, connector: Connector, user: any VirtualUser, state: LoopState) {
        self.id = id
        self.loop = loop
        self.connector = connector
        self.user = user
        self.state = state
    }

    /// The monotonic clock in nanoseconds.
    @inline(__always) static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    // MARK: - Phases

    /// Opens the connection; fails when the target cannot be reached.
    func connect() -> EventLoopFuture<Void> {
        connector.connect(on: loop, driver: NIOLoopBound(self, eventLoop: loop)).assumeIsolated().map { channel in
            self.channel = channel
        }.nonisolated()
    }

    /// Runs the user's setup requests (not measured); succeeds when it is ready.
    func beginSetup() -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        setupPromise = promise
        phase = .setup
        step()
        return promise.futureResult
    }

    /// Starts the load phase; succeeds when this connection has stopped and drained.
    func beginLoad(_ window: RunWindow) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        donePromise = promise
        self.window = window
        if phase == .stopped { promise.succeed(); return promise.futureResult }
        phase = .running
        let now = Self.now()
        if now < window.loadStart { schedule(at: window.loadStart) { $0.step() } } else { step() }
        return promise.futureResult
    }

    /// Called at the window's end: no new requests; the one in flight is drained.
    func stopNow() {
        guard phase == .running, let window else { return }
        timer?.cancel()
        timer = nil
        if let schedule = window.schedule {
            // Slots due inside [measureStart, stop) that were never sent.
            var unsent = schedule.dueCount(connection: id, from: openIndex, before: window.stop)
                - schedule.dueCount(connection: id, from: openIndex, before: window.measureStart)
            if let p = pendingSend, p.due >= window.measureStart, p.due < window.stop { unsent += 1 }
            state.stats.unsent += unsent
        }
        pendingSend = nil
        if waiting { phase = .draining } else { finish() }
    }

    /// Stops for good: cancels timers, closes the connection, resolves the promises.
    func finish() {
        let wasSetup = phase == .setup
        phase = .stopped
        timer?.cancel()
        timer = nil
        pendingSend = nil
        waiting = false
        writeContext = nil
        decoderObserver = nil
        if let channel {
            self.channel = nil
            channel.close(promise: nil)
        }
        if wasSetup { setupPromise?.fail(BenchError.setupFailed("connection \(id) stopped during setup")) }
        setupPromise = nil
        donePromise?.succeed()
        donePromise = nil
    }

    // MARK: - Sending

    private func schedule(at deadline: UInt64, _ body: @escaping (ConnectionDriver) -> Void) {
        timer = loop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [self] in
            timer = nil
            body(self)
        }
    }

    /// Asks the user what to do next and does it. Only called with nothing in flight.
    private func step() {
        guard !waiting, timer == nil else { return }
        let now = Self.now()
        switch phase {
        case .setup:
            switch user.next(now: now) {
            case .send(let request): send(request, due: now, now: now)
            case .pause(let ns): schedule(at: now &+ ns) { $0.step() }
            case .ready, .finished:
                phase = .waitingForStart
                setupPromise?.succeed()
                setupPromise = nil
            case .failed(let reason):
                phase = .stopped
                setupPromise?.fail(BenchError.setupFailed("connection \(id): \(reason)"))
                setupPromise = nil
            }
        case .running:
            guard let window, now < window.stop else { return finish() }
            switch user.next(now: now) {
            case .send(let request):
                guard let schedule = window.schedule else { return send(request, due: now, now: now) }
                let due = schedule.dueTime(connection: id, index: openIndex)
                guard due < window.stop else { return finish() }
                openIndex += 1
                if due > now {
                    pendingSend = (request, due)
                    self.schedule(at: due) { $0.sendPending() }
                } else {
                    send(request, due: due, now: now)
                }
            case .pause(let ns):
                schedule(at: Swift.min(now &+ ns, window.stop)) { $0.step() }
            case .ready, .finished, .failed:
                finish()
            }
        case .draining:
            finish()
        case .idle, .waitingForStart, .stopped:
            return
        }
    }

    private func sendPending() {
        guard channel != nil, let p = pendingSend else { return }
        pendingSend = nil
        send(p.request, due: p.due, now: Self.now())
    }

    private func send(_ request: OutgoingRequest, due: UInt64, now: UInt64) {
        guard let channel else {
            pendingSend = (request, due)
            return
        }
        waiting = true
        inFlightEndpoint = request.endpoint
        inFlightExpected = request.expectedStatus
        dueAt = due
        sentAt = now
        if let decoderObserver {
            decoderObserver.write(NIOAny(HTTPClientRequestPart.head(Self.placeholderHead)), promise: nil)
        }
        if let writeContext {
            writeContext.writeAndFlush(NIOAny(request.bytes), promise: nil)
        } else {
            channel.writeAndFlush(request.bytes, promise: nil)
        }
    }

    /// The front handler of a new channel tells where to write.
    func attach(writeContext: ChannelHandlerContext, channel: any Channel) {
        self.writeContext = writeContext
    }

    /// `--client nio`: the handler behind the decoder tells where to announce requests.
    func attach(decoderObserver: ChannelHandlerContext) {
        self.decoderObserver = decoderObserver
    }

    /// What the NIOHTTP1 decoder is told about each request (only HEAD and CONNECT
    /// would change how it reads the answer, and bench never sends those).
    private static let placeholderHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")

    // MARK: - Receiving

    /// Bytes arrived on `channel`.
    func received(_ bytes: ByteBuffer, from channel: any Channel) {
        guard channel === self.channel else { return }
        if readBuffer.readableBytes == 0 {
            readBuffer = bytes
        } else {
            var bytes = bytes
            readBuffer.writeBuffer(&bytes)
        }
        while readBuffer.readableBytes > 0 {
            let response: HTTPResponse?
            do {
                response = try HTTPResponseParser.parse(&readBuffer)
            } catch {
                failInFlight(.protocolError)
                return
            }
            guard let response else { return }
            guard waiting else {
                // An answer nobody asked for: the connection is out of step.
                failInFlight(.protocolError)
                return
            }
            complete(response)
            guard channel === self.channel else { return }
        }
        readBuffer = Self.emptyBuffer
    }

    /// A whole answer decoded by NIOHTTP1 (`--client nio`) arrived on `channel`.
    func receivedResponse(_ response: HTTPResponse, from channel: any Channel) {
        guard channel === self.channel else { return }
        guard waiting else { return failInFlight(.protocolError) }
        complete(response)
    }

    /// `channel` was closed (by the peer or by us).
    func closed(_ channel: any Channel) {
        guard channel === self.channel else { return }
        self.channel = nil
        writeContext = nil
        decoderObserver = nil
        if waiting, readBuffer.readableBytes > 0,
           let response = try? HTTPResponseParser.parse(&readBuffer, atEOF: true) {
            complete(response)
            return
        }
        failInFlight(.closed)
    }

    private func inWindow() -> Bool {
        guard let window, phase == .running || phase == .draining else { return false }
        return dueAt >= window.measureStart
    }

    private func complete(_ response: HTTPResponse) {
        let now = Self.now()
        waiting = false
        state.stats.answersAllPhases += 1
        if phase == .setup {
            state.stats.setupRequests += 1
            user.receive(response, checks: &state.scratchChecks)
        } else if inWindow(), let window {
            state.stats.recordLatency(endpoint: inFlightEndpoint, microseconds: (now &- dueAt) / 1000)
            if now < window.stop { state.stats.completed[inFlightEndpoint] += 1 }
            if response.status != inFlightExpected {
                state.stats.recordError(.status)
                state.stats.unexpectedStatuses[response.status, default: 0] += 1
            }
            state.lastCompletion = Swift.max(state.lastCompletion, now)
            user.receive(response, checks: &state.stats.checks)
        } else {
            user.receive(response, checks: &state.scratchChecks)
        }
        if !response.keepAlive || channel == nil {
            reconnect()
        } else {
            step()
        }
    }

    /// Watchdog: gives up on an answer older than `timeout` nanoseconds.
    func checkTimeout(now: UInt64, timeout: UInt64) {
        guard waiting, now &- sentAt > timeout else { return }
        failInFlight(.timeout)
    }

    /// The request in flight (if any) got no answer: count it, tell the user,
    /// and start over on a fresh connection.
    private func failInFlight(_ kind: ErrorKind) {
        if waiting {
            if inWindow() { state.stats.recordError(kind) }
            waiting = false
            user.transportFailed()
        }
        reconnect()
    }

    private func reconnect() {
        readBuffer = Self.emptyBuffer
        writeContext = nil
        decoderObserver = nil
        if let channel {
            self.channel = nil
            channel.close(promise: nil)
        }
        switch phase {
        case .draining: return finish()
        case .setup, .waitingForStart, .running: break
        case .idle, .stopped: return
        }
        connector.connect(on: loop, driver: NIOLoopBound(self, eventLoop: loop)).assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let channel):
                guard phase != .stopped else { writeContext = nil; decoderObserver = nil; return channel.close(promise: nil) }
                self.channel = channel
                resume()
            case .failure:
                if phase == .running { state.stats.recordError(.connect) }
                guard phase != .stopped else { return }
                schedule(at: Self.now() &+ 100_000_000) { $0.reconnect() }
            }
        }
    }

    private func resume() {
        guard timer == nil, !waiting else { return }
        if let p = pendingSend {
            pendingSend = nil
            send(p.request, due: p.due, now: Self.now())
        } else if phase == .setup || phase == .running {
            step()
        }
    }
}
