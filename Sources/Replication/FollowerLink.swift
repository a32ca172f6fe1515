import Glibc
import NIOCore
import NIOPosix
import WAL

/// One connection of a follower to its leader: drives a `FollowerSession` and carries out its
/// actions in order. In `live` mode (an engine runs on the log) it appends the leader's frames
/// and hands them, once durable, to the applier; in `bootstrap` mode (before the engine opens)
/// it only learns what the leader wants: stream, cut the log back, or install a snapshot, which
/// the caller then does with nothing open.
actor FollowerLink {
    enum Mode {
        case live
        case bootstrap
    }

    /// How a bootstrap handshake ended.
    enum Outcome: Sendable {
        /// The log continues the leader's: open the engine and stream.
        case stream
        /// The log must first be cut back to `lsn` (whose chain CRC must be `crc`).
        case truncate(lsn: UInt64, crc: UInt32)
        /// The leader sent a snapshot (stored in `incomingSnapshotPath`); install it.
        case snapshot(FollowerSession.SnapshotInstallation)
        /// The stream ended (refused, cut, timed out) with this reason.
        case ended(String)
    }

    private var session: FollowerSession
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let allocator: ByteBufferAllocator
    private let mode: Mode
    private let follower: ReplicationFollower
    private let durable: AsyncStream<DurableFrames>.Continuation
    private var closed = false
    private(set) var outcome: Outcome?
    private var snapshotFD: Int32 = -1

    struct DurableFrames: Sendable {
        var frames: WrittenFrames
        var failed: Bool
    }

    init(session: FollowerSession, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, allocator: ByteBufferAllocator,
         mode: Mode, follower: ReplicationFollower, durable: AsyncStream<DurableFrames>.Continuation) {
        self.session = session
        self.outbound = outbound
        self.allocator = allocator
        self.mode = mode
        self.follower = follower
        self.durable = durable
    }

    var isClosed: Bool { closed }
    var state: FollowerSession { session }

    func connected() async { await perform(session.connected(now: ReplicationLeader.now())) }

    func received(_ message: ReplicationMessage) async {
        await perform(session.received(message, now: ReplicationLeader.now()))
        if mode == .bootstrap, outcome == nil, session.phase == .streaming {
            outcome = .stream
            closed = true
        }
    }

    func decodingFailed(_ error: ReplicationProtocolError) async { await perform(session.decodingFailed(error)) }

    func tick() async { await perform(session.tick(now: ReplicationLeader.now())) }

    func framesDurable(through lsn: UInt64) async { await perform(session.framesDurable(through: lsn)) }

    func applied(through lsn: UInt64) async { await perform(session.applied(through: lsn)) }

    func connectionClosed() {
        _ = session.closed()
        closed = true
        if outcome == nil { outcome = .ended("the connection closed") }
        if snapshotFD >= 0 {
            close(snapshotFD)
            snapshotFD = -1
        }
    }

    private func send(_ message: ReplicationMessage) async {
        guard let bytes = try? message.encoded() else { return }
        try? await outbound.write(allocator.buffer(bytes: bytes))
    }

    private func perform(_ actions: [FollowerSession.Action]) async {
        for action in actions {
            if closed { return }
            switch action {
            case .send(let message):
                await send(message)
            case .adoptTerm(let term):
                do { try follower.terms.adopt(term: term) } catch {
                    await refuse(.protocolViolation, "cannot record term \(term): \(error)")
                    return
                }
                follower.events(.adoptedTerm(term))
            case .truncateLog(let lsn, let crc):
                if mode == .bootstrap {
                    outcome = .truncate(lsn: lsn, crc: crc)
                } else {
                    follower.markNeedsRestart("this node holds records after LSN \(lsn) that the leader never had: restart it to cut them back")
                    outcome = .truncate(lsn: lsn, crc: crc)
                }
                closed = true
            case .appendFrames(let bytes, let first, let last):
                guard mode == .live, let log = follower.log else { continue }
                do {
                    _ = try log.appendFrames(bytes)
                } catch {
                    await refuse(.protocolViolation, "frames do not continue this node's log: \(error)")
                    return
                }
                let frames = WrittenFrames(bytes: bytes, firstLSN: first, lastLSN: last, lastCRC: 0)
                let durable = self.durable
                log.whenDurable(last) { result in
                    if case .failure = result {
                        durable.yield(DurableFrames(frames: frames, failed: true))
                    } else {
                        durable.yield(DurableFrames(frames: frames, failed: false))
                    }
                }
            case .storeSnapshotChunk(_, let offset, let bytes, _):
                guard mode == .bootstrap else {
                    follower.markNeedsRestart("the leader sends a snapshot: restart this node to install it")
                    closed = true
                    outcome = .ended("needs a snapshot")
                    return
                }
                if snapshotFD < 0 {
                    snapshotFD = open(follower.incomingSnapshotPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                }
                let written = bytes.withUnsafeBytes { pwrite(snapshotFD, $0.baseAddress, $0.count, off_t(offset)) }
                if snapshotFD < 0 || written != bytes.count {
                    await refuse(.protocolViolation, "cannot store the snapshot (errno \(errno))")
                    return
                }
            case .installSnapshot(let installation):
                if snapshotFD >= 0 {
                    fsync(snapshotFD)
                    close(snapshotFD)
                    snapshotFD = -1
                }
                outcome = .snapshot(installation)
                closed = true
            case .refuse(let code, let text):
                await refuse(code, text)
                return
            case .close(let reason):
                if case let .refusedByPeer(code, text) = reason {
                    follower.events(.refused(peer: follower.configuration.leaderHost, code: code, message: text))
                }
                outcome = outcome ?? .ended("\(reason)")
                closed = true
            }
        }
    }

    private func refuse(_ code: RefusalCode, _ text: String) async {
        follower.events(.refused(peer: follower.configuration.leaderHost, code: code, message: text))
        await send(.refuse(code: code, message: text))
        outcome = outcome ?? .ended("\(code): \(text)")
        closed = true
    }
}
