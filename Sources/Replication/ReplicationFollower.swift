import Locking
import NIOCore
import NIOPosix
import WAL

/// A follower's replication client: connects to the leader (reconnecting with backoff),
/// authenticates, appends the leader's frames to this node's log byte for byte, and hands them,
/// once durable, to `apply` (the engine's replica apply path) in log order; acknowledges what is
/// durable and applied. Knows the WAL's frames, nothing about what the records mean.
///
/// Before an engine opens on the log, `bootstrap` runs the same handshake with nothing open and
/// carries out what the leader asks first: cut the log back to the last point both logs share
/// (a former leader's unacknowledged tail, kept aside as `.diverged`).
public final class ReplicationFollower: Sendable {
    public let configuration: FollowerConfiguration
    let log: WriteAheadLog?
    let directory: String
    /// The node's terms (shared with the leader role after a promotion).
    public let terms: TermStore
    let group: any EventLoopGroup
    let apply: @Sendable ([WALRecord]) async throws -> UInt64
    let events: @Sendable (ReplicationEvent) -> Void
    private let state: LockedValue<State>

    struct State: Sendable {
        var link: FollowerLink?
        var session: FollowerSession?
        var streaming = false
        var appliedLSN: UInt64
        var needsRestart: String?
        var stopped = false
        var task: Task<Void, Never>?
    }

    /// Where a snapshot from the leader is stored while it arrives.
    var incomingSnapshotPath: String { directory + "/replication/incoming.snap" }

    /// A follower over `log` (the engine's, already started), whose engine has applied through
    /// `appliedLSN`.
    public init(configuration: FollowerConfiguration, log: WriteAheadLog?, directory: String, terms: TermStore,
                group: any EventLoopGroup, appliedLSN: UInt64,
                apply: @escaping @Sendable ([WALRecord]) async throws -> UInt64,
                events: @escaping @Sendable (ReplicationEvent) -> Void) {
        self.configuration = configuration
        self.log = log
        self.directory = directory
        self.terms = terms
        self.group = group
        self.apply = apply
        self.events = events
        state = LockedValue(State(appliedLSN: appliedLSN))
    }

    /// Starts following in the background.
    public func start() {
        let task = Task { await self.run() }
        state.withLock { $0.task = task }
    }

    /// Stops following: closes the stream and waits until every record received is applied.
    public func stop() async {
        let task = state.withLock { s -> Task<Void, Never>? in
            s.stopped = true
            return s.task
        }
        if let link = state.withLock({ $0.link }) { await link.connectionClosed() }
        task?.cancel()
        await task?.value
    }

    /// The stream's state, for `/cluster`.
    public func status() -> FollowerStatus {
        let now = ReplicationLeader.now()
        return state.withLock { s in
            let session = s.session
            return FollowerStatus(
                leader: session?.leader, streaming: s.streaming, appendedLSN: session?.appendedLSN ?? 0,
                durableLSN: log?.syncedLSN ?? 0, appliedLSN: s.appliedLSN, leaderDurableLSN: session?.leaderDurableLSN ?? 0,
                lag: session?.lag(now: now) ?? ReplicationLag(records: 0, nanoseconds: 0), needsRestart: s.needsRestart)
        }
    }

    /// The engine has applied through this LSN.
    public var appliedLSN: UInt64 { state.withLock { $0.appliedLSN } }

    func markNeedsRestart(_ reason: String) {
        state.withLock { $0.needsRestart = reason }
        events(.needsRestart(reason: reason))
    }

    // MARK: The live loop

    private func run() async {
        var delay = configuration.reconnectDelay
        while !Task.isCancelled {
            let stop = state.withLock { $0.stopped || $0.needsRestart != nil }
            if stop { break }
            let outcome = await connectOnce()
            state.withLock { $0.streaming = false }
            switch outcome {
            case .streamed(let reason):
                delay = configuration.reconnectDelay
                events(.disconnected(reason: reason))
            case .failed(let reason):
                events(.disconnected(reason: reason))
            }
            if state.withLock({ $0.stopped || $0.needsRestart != nil }) { break }
            try? await Task.sleep(nanoseconds: delay)
            delay = min(delay * 2, configuration.maximumReconnectDelay)
        }
    }

    enum ConnectionResult {
        /// The handshake succeeded and the stream later ended for this reason.
        case streamed(String)
        /// Nothing streamed (unreachable, refused, cut during the handshake).
        case failed(String)
    }

    /// This node's position for a handshake: everything received is durable first.
    private func position() async throws -> LogPosition {
        guard let log else { throw ChannelError.ioOnClosedChannel }
        try await log.flush()
        let last = log.lastWrittenFrame
        return LogPosition(durableLSN: last.lsn, lastCRC: last.crc, terms: terms.history)
    }

    private func connectOnce() async -> ConnectionResult {
        do {
            let position = try await self.position()
            let (result, _) = try await handshake(mode: .live, position: position)
            return result
        } catch {
            return .failed("\(error)")
        }
    }

    /// One connection: handshake, then (live) stream until it ends. Returns how it ended and,
    /// for a bootstrap, what the leader asked for.
    func handshake(mode: FollowerLink.Mode, position: LogPosition) async throws -> (ConnectionResult, FollowerLink.Outcome?) {
        let authenticator = try ReplicationAuthenticator(secret: configuration.secret)
        let sessionConfiguration = try FollowerSession.Configuration(
            node: configuration.node, authenticator: authenticator, idleTimeout: configuration.idleTimeout)
        let session = try FollowerSession(
            configuration: sessionConfiguration, position: position, appliedLSN: state.withLock { $0.appliedLSN },
            currentTerm: terms.currentTerm, nonce: ReplicationAuthenticator.makeNonce())
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: configuration.leaderHost, port: configuration.leaderPort) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let allocator = channel.channel.allocator
        var streamed = false
        var endReason = "the leader closed the stream"
        var outcome: FollowerLink.Outcome?
        try await channel.executeThenClose { inbound, outbound in
            let (durable, durableInput) = AsyncStream.makeStream(of: FollowerLink.DurableFrames.self)
            let link = FollowerLink(session: session, outbound: outbound, allocator: allocator, mode: mode, follower: self,
                                    durable: durableInput)
            state.withLock { $0.link = link }
            await link.connected()
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 100_000_000)
                    await link.tick()
                    let s = await link.state
                    self.state.withLock { $0.session = s }
                    if await link.isClosed {
                        channel.channel.close(promise: nil)
                        return
                    }
                }
            }
            let applier = Task { await self.applyInOrder(durable, link: link) }
            var decoder = ReplicationMessageDecoder()
            do {
                reading: for try await buffer in inbound {
                    decoder.append(buffer.readableBytesView)
                    while true {
                        let message: ReplicationMessage?
                        do throws(ReplicationProtocolError) { message = try decoder.next() } catch {
                            await link.decodingFailed(error)
                            break reading
                        }
                        guard let message else { break }
                        await link.received(message)
                        if !streamed, await link.state.phase == .streaming, mode == .live {
                            streamed = true
                            let s = await link.state
                            state.withLock {
                                $0.streaming = true
                                $0.session = s
                            }
                            if let leader = s.leader { events(.streaming(leader: leader.node, term: leader.term)) }
                        }
                        if await link.isClosed { break reading }
                    }
                }
            } catch {
                endReason = "\(error)"
            }
            await link.connectionClosed()
            outcome = await link.outcome
            if case .ended(let reason)? = outcome { endReason = reason }
            // Everything appended is applied before the stream is given up: wait until the log
            // has made it all durable (its callbacks then feed the applier), then end the input.
            if let log { try? await log.waitUntilDurable(log.lastAppendedLSN) }
            durableInput.finish()
            await applier.value
            ticker.cancel()
            state.withLock {
                $0.link = nil
                $0.streaming = false
            }
        }
        return (streamed ? .streamed(endReason) : .failed(endReason), outcome)
    }

    /// Applies durable frames in log order, then acknowledges them.
    private func applyInOrder(_ durable: AsyncStream<FollowerLink.DurableFrames>, link: FollowerLink) async {
        for await item in durable {
            if item.failed {
                markNeedsRestart("this node's log could not make received frames durable")
                continue
            }
            await link.framesDurable(through: item.frames.lastLSN)
            do {
                let records = try item.frames.records()
                for record in records where record.isControl {
                    if let term = try TermRecord(decoding: record.bytes) {
                        try terms.record(term: term.term, firstLSN: record.lsn)
                    }
                }
                let lsn = try await apply(records)
                state.withLock { $0.appliedLSN = max($0.appliedLSN, lsn) }
                await link.applied(through: lsn)
            } catch {
                markNeedsRestart("a received record cannot be applied: \(error)")
            }
        }
    }
}
