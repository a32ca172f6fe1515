/// The follower's side of one replication connection, as a state machine without I/O.
///
/// The caller owns the socket, the WAL and the clock: it feeds events (the connection is up, a
/// message arrived, frames became durable, records were applied, time passed) and carries out
/// the returned actions in order. Times are monotonic nanoseconds (any origin, e.g.
/// `NIODeadline.uptimeNanoseconds`), passed in; nothing here reads a clock.
///
/// Phases: `connecting` → (`connected`) `helloSent` → (leader's proof verified) `proofSent` →
/// (`start`) `streaming`, or `receivingSnapshot` → (`snapshotDone`) `streaming`; any of them →
/// `closed`. The session
/// - verifies the leader's proof before anything else, so frames are only taken from a node that
///   knows the secret;
/// - refuses a `start` whose term is older than the newest term this node has seen (`staleTerm`)
///   and asks the caller to persist a newer one (`adoptTerm`);
/// - checks every shipped frame before asking for it to be appended: well formed, its own CRC,
///   LSNs continuing from the log's end and the CRC chain continuing from the log's last frame;
/// - refuses anything out of order (`protocolViolation`);
/// - acknowledges when the durable or applied LSN advances (repeated reports of the same LSN
///   send nothing) and in reply to every heartbeat (which keeps the leader's idle timer and the
///   acknowledgement rule's liveness fed when no writes flow);
/// - closes when the leader sent nothing for `idleTimeout`.
///
/// Snapshot chunks are not accumulated here: each one becomes a `storeSnapshotChunk` action
/// (the caller writes it to a temporary file at its offset), and `snapshotDone` becomes
/// `installSnapshot` once every byte has arrived in order.
public struct FollowerSession: Sendable {
    /// Settings of a follower's sessions.
    public struct Configuration: Sendable {
        /// This node's name (`NODE_NAME`), sent in `hello`.
        public let node: String
        /// The challenge-response over the replication secret.
        public let authenticator: ReplicationAuthenticator
        /// Close when the leader sent nothing for this long (nanoseconds); a few heartbeat
        /// intervals.
        public let idleTimeout: UInt64

        /// Creates a configuration; throws when `node` is empty or longer than 1 KiB of UTF-8.
        public init(node: String, authenticator: ReplicationAuthenticator, idleTimeout: UInt64) throws(ReplicationProtocolError) {
            let length = node.utf8.count
            guard length >= 1, length <= ReplicationMessage.maximumTextLength else {
                throw .invalidTextLength(field: "node", length: length, maximum: ReplicationMessage.maximumTextLength)
            }
            self.node = node
            self.authenticator = authenticator
            self.idleTimeout = idleTimeout
        }
    }

    /// Where the session is.
    public enum Phase: Sendable, Hashable {
        case connecting, helloSent, proofSent, streaming, receivingSnapshot, closed
    }

    /// The leadership this session follows (from the leader's `start`).
    public struct Leader: Sendable, Hashable {
        /// The leader's term.
        public var term: UInt64
        /// The leader's node name.
        public var node: String
        /// The leader's HTTP URL, for `X-Authd-Leader`.
        public var httpURL: String
    }

    /// A complete snapshot to install (see `Action.installSnapshot`).
    public struct SnapshotInstallation: Sendable, Hashable {
        /// The snapshot reflects every record up to this LSN.
        public var lsn: UInt64
        /// Bytes of the snapshot file, all of them already given in `storeSnapshotChunk` actions.
        public var totalBytes: UInt64
        /// The CRC the new log's first frame chains from (its first segment's base CRC).
        public var chainCRC: UInt32
        /// The first LSN of the new log (`<= lsn + 1`; records up to `lsn` in it are already in
        /// the snapshot and are skipped by the apply path, as in recovery).
        public var nextFrameLSN: UInt64
        /// The term history of LSNs below `nextFrameLSN`; term records in later frames extend it.
        public var terms: TermHistory
    }

    /// What the caller must do, in order.
    public enum Action: Sendable, Equatable {
        /// Encode and send this message.
        case send(ReplicationMessage)
        /// Persist `term` as the newest term this node has seen, before acting on what follows,
        /// so that after a restart it still refuses leaders of older terms.
        case adoptTerm(UInt64)
        /// Cut the log back so that `to` is its last LSN, keeping the cut frames in a side file
        /// for audit, then rebuild the engine's state from it. First check that a frame of the
        /// log ends exactly at `to` with `crc == expectingCRC` (or that `to` is just before the
        /// log's first frame and `expectingCRC` its segment's base CRC, 0 at LSN 0); if not, cut
        /// nothing and report `truncationFailed`.
        case truncateLog(to: UInt64, expectingCRC: UInt32)
        /// Append these frames (already checked) to the WAL exactly as they are; report
        /// `framesDurable` once they are synced and `applied` once the engine has applied them.
        case appendFrames([UInt8], firstLSN: UInt64, lastLSN: UInt64)
        /// Write `bytes` at `offset` of the snapshot file being received for `lsn`.
        case storeSnapshotChunk(lsn: UInt64, offset: UInt64, bytes: [UInt8], totalBytes: UInt64)
        /// The snapshot file is complete: verify and install it (moving the old log aside), start
        /// a new log at `nextFrameLSN` chaining from `chainCRC`, load the engine from it, then
        /// report `framesDurable(through: nextFrameLSN - 1)` and `applied(through: lsn)`.
        case installSnapshot(SnapshotInstallation)
        /// Send `refuse(code, text)`, then close the connection.
        case refuse(RefusalCode, String)
        /// Close the connection.
        case close(SessionCloseReason)
    }

    private enum State: Sendable {
        case connecting
        case helloSent
        case proofSent
        case streaming
        case receivingSnapshot(SnapshotProgress)
        case closed
    }

    private struct SnapshotProgress: Sendable {
        var lsn: UInt64?
        var totalBytes: UInt64 = 0
        var received: UInt64 = 0
    }

    /// The most lag markers kept; past that the newest marker absorbs newer LSNs (the lag reads
    /// high rather than low).
    static let maximumLagMarkers = 256

    /// The settings.
    public let configuration: Configuration
    /// The nonce this session sends in `hello`.
    public let nonce: [UInt8]
    /// Where the log ended when the session began (sent in `proof`).
    public let position: LogPosition

    private var state: State = .connecting
    /// The newest term this node has seen (its own log's, or a leader's it adopted).
    public private(set) var currentTerm: UInt64
    /// The leadership followed, once `start` arrived.
    public private(set) var leader: Leader?
    /// The last LSN of the log after the frames this session asked to append.
    public private(set) var appendedLSN: UInt64
    /// The log's chain CRC at `appendedLSN`.
    public private(set) var lastCRC: UInt32
    /// The last durable LSN reported by the caller (never above `appendedLSN`).
    public private(set) var durableLSN: UInt64
    /// The last applied LSN reported by the caller.
    public private(set) var appliedLSN: UInt64
    /// The leader's durable LSN from its last heartbeat.
    public private(set) var leaderDurableLSN: UInt64 = 0
    /// The leader's wall clock (ms since the epoch) from its last heartbeat.
    public private(set) var leaderTimeMillis: Int64?
    private var acknowledgedDurable: UInt64 = 0
    private var acknowledgedApplied: UInt64 = 0
    private var lastHeard: UInt64 = 0
    private var lagMarkers: [(lsn: UInt64, since: UInt64)] = []

    /// A session for a follower whose log ends at `position`, whose engine has applied up to
    /// `appliedLSN`, and which has seen terms up to `currentTerm` (its persisted newest term; the
    /// newest term of `position.terms` counts too). `nonce` must be 32 fresh random bytes
    /// (`ReplicationAuthenticator.makeNonce()`).
    public init(
        configuration: Configuration, position: LogPosition, appliedLSN: UInt64 = 0, currentTerm: UInt64 = 0,
        nonce: [UInt8]
    ) throws(ReplicationProtocolError) {
        guard nonce.count == ReplicationMessage.nonceLength else {
            throw .invalidByteCount(field: "nonce", count: nonce.count, expected: ReplicationMessage.nonceLength)
        }
        self.configuration = configuration
        self.nonce = nonce
        self.position = position
        self.currentTerm = max(currentTerm, position.terms.lastTerm)
        self.appendedLSN = position.durableLSN
        self.lastCRC = position.lastCRC
        self.durableLSN = position.durableLSN
        self.appliedLSN = appliedLSN
    }

    /// Where the session is.
    public var phase: Phase {
        switch state {
        case .connecting: .connecting
        case .helloSent: .helloSent
        case .proofSent: .proofSent
        case .streaming: .streaming
        case .receivingSnapshot: .receivingSnapshot
        case .closed: .closed
        }
    }

    /// How far behind the leader this follower is at `now`.
    public func lag(now: UInt64) -> ReplicationLag {
        let records = leaderDurableLSN > appliedLSN ? leaderDurableLSN - appliedLSN : 0
        let since = lagMarkers.first.map { now > $0.since ? now - $0.since : 0 } ?? 0
        return ReplicationLag(records: records, nanoseconds: since)
    }

    // MARK: Events

    /// The TCP connection to the leader is up: say hello.
    public mutating func connected(now: UInt64) -> [Action] {
        guard case .connecting = state else { return [] }
        state = .helloSent
        lastHeard = now
        return [.send(.hello(version: ReplicationMessage.protocolVersion, node: configuration.node, nonce: nonce))]
    }

    /// A message arrived from the leader.
    public mutating func received(_ message: ReplicationMessage, now: UInt64) -> [Action] {
        if case .closed = state { return [] }
        lastHeard = now
        if case let .refuse(code, text) = message {
            state = .closed
            return [.close(.refusedByPeer(code, text))]
        }
        switch (state, message) {
        case let (.helloSent, .challenge(leaderNonce, proof)):
            return verifyLeader(nonce: leaderNonce, proof: proof)
        case let (.proofSent, .start(instruction)):
            return start(instruction)
        case let (.streaming, .frames(bytes)):
            return append(bytes)
        case let (.streaming, .heartbeat(durable, time)), let (.receivingSnapshot, .heartbeat(durable, time)):
            return heartbeat(leaderDurableLSN: durable, leaderTimeMillis: time, now: now)
        case let (.receivingSnapshot(progress), .snapshotChunk(lsn, total, offset, bytes)):
            return storeChunk(progress, lsn: lsn, totalBytes: total, offset: offset, bytes: bytes)
        case let (.receivingSnapshot(progress), .snapshotDone(lsn, crc, next, terms)):
            return finishSnapshot(progress, lsn: lsn, chainCRC: crc, nextFrameLSN: next, terms: terms)
        default:
            return refuse(.protocolViolation, "unexpected \(message.kind) message while \(phase)")
        }
    }

    /// The bytes from the leader did not decode: the stream has lost its framing.
    public mutating func decodingFailed(_ error: ReplicationProtocolError) -> [Action] {
        if case .closed = state { return [] }
        return refuse(.protocolViolation, "undecodable message: \(error)")
    }

    /// The WAL has made the log durable through `lsn`. Only advances count, and never past the
    /// frames this session asked to append (before streaming, and while a snapshot is received,
    /// the old log's reports are ignored).
    public mutating func framesDurable(through lsn: UInt64) -> [Action] {
        guard case .streaming = state else { return [] }
        durableLSN = max(durableLSN, min(lsn, appendedLSN))
        return acknowledgeIfAdvanced()
    }

    /// The engine has applied records through `lsn`. Only advances count.
    public mutating func applied(through lsn: UInt64) -> [Action] {
        switch state {
        case .closed, .receivingSnapshot:
            return []
        case .streaming:
            appliedLSN = max(appliedLSN, lsn)
            lagMarkers.removeAll { $0.lsn <= appliedLSN }
            return acknowledgeIfAdvanced()
        case .connecting, .helloSent, .proofSent:
            appliedLSN = max(appliedLSN, lsn)
            return []
        }
    }

    /// The log could not be cut back as `truncateLog` asked (no frame ends there with that CRC,
    /// or the cut failed): the logs cannot be joined.
    public mutating func truncationFailed(reason: String) -> [Action] {
        guard case .streaming = state else { return [] }
        return refuse(.unrelatedLog, "cannot cut the log back as the leader asked: \(reason)")
    }

    /// Time passed: close when the leader has been silent for the idle timeout.
    public mutating func tick(now: UInt64) -> [Action] {
        switch state {
        case .connecting, .closed:
            return []
        case .helloSent, .proofSent, .streaming, .receivingSnapshot:
            guard now >= lastHeard, now - lastHeard >= configuration.idleTimeout else { return [] }
            state = .closed
            return [.close(.timedOut)]
        }
    }

    /// The connection closed (by the peer, or after a `refuse` or `close` action).
    public mutating func closed() -> [Action] {
        state = .closed
        return []
    }

    // MARK: Handshake

    private mutating func verifyLeader(nonce leaderNonce: [UInt8], proof: [UInt8]) -> [Action] {
        let authenticator = configuration.authenticator
        guard authenticator.isValidLeaderProof(proof, followerNonce: nonce, leaderNonce: leaderNonce) else {
            return refuse(.badSecret, "the leader's proof does not verify: it does not know the replication secret")
        }
        state = .proofSent
        let ours = authenticator.followerProof(leaderNonce: leaderNonce, followerNonce: nonce)
        return [.send(.proof(proof: ours, position: position))]
    }

    private mutating func start(_ instruction: StartInstruction) -> [Action] {
        guard instruction.term >= currentTerm else {
            return refuse(.staleTerm, "leader term \(instruction.term) is older than this node's term \(currentTerm)")
        }
        var actions: [Action] = []
        switch instruction.mode {
        case .stream:
            guard instruction.commonLSN == position.durableLSN else {
                return refuse(.protocolViolation, "stream from after LSN \(instruction.commonLSN), but this log ends at \(position.durableLSN)")
            }
            guard instruction.commonCRC == position.lastCRC else {
                return refuse(.unrelatedLog, "the leader's chain CRC at LSN \(instruction.commonLSN) differs from this log's")
            }
            state = .streaming
        case .truncateThenStream:
            guard instruction.commonLSN < position.durableLSN else {
                return refuse(.protocolViolation, "cut back to LSN \(instruction.commonLSN), but this log ends at \(position.durableLSN)")
            }
            actions.append(.truncateLog(to: instruction.commonLSN, expectingCRC: instruction.commonCRC))
            appendedLSN = instruction.commonLSN
            lastCRC = instruction.commonCRC
            durableLSN = instruction.commonLSN
            appliedLSN = min(appliedLSN, instruction.commonLSN)
            state = .streaming
        case .snapshotFirst:
            appendedLSN = 0
            lastCRC = 0
            durableLSN = 0
            appliedLSN = 0
            state = .receivingSnapshot(SnapshotProgress())
        }
        acknowledgedDurable = durableLSN
        acknowledgedApplied = appliedLSN
        leader = Leader(term: instruction.term, node: instruction.leaderNode, httpURL: instruction.leaderHTTP)
        if instruction.term > currentTerm {
            currentTerm = instruction.term
            actions.insert(.adoptTerm(instruction.term), at: 0)
        }
        return actions
    }

    // MARK: Streaming

    private mutating func append(_ bytes: [UInt8]) -> [Action] {
        let headers: [FrameHeaderView]
        do {
            headers = try FrameHeaderView.frames(in: bytes)
        } catch {
            return refuse(.protocolViolation, "bad frames: \(error)")
        }
        guard let first = headers.first, let last = headers.last else {
            return refuse(.protocolViolation, "frames message without frames")
        }
        guard first.firstLSN == appendedLSN + 1 else {
            return refuse(.protocolViolation, "frames start at LSN \(first.firstLSN), expected \(appendedLSN + 1)")
        }
        guard first.prevCRC == lastCRC else {
            return refuse(.protocolViolation, "frame at LSN \(first.firstLSN) does not chain from this log's last frame")
        }
        appendedLSN = last.lastLSN
        lastCRC = last.crc
        return [.appendFrames(bytes, firstLSN: first.firstLSN, lastLSN: last.lastLSN)]
    }

    private mutating func heartbeat(leaderDurableLSN durable: UInt64, leaderTimeMillis time: Int64, now: UInt64) -> [Action] {
        guard durable >= leaderDurableLSN else {
            return refuse(.protocolViolation, "leader durable LSN went back from \(leaderDurableLSN) to \(durable)")
        }
        leaderDurableLSN = durable
        leaderTimeMillis = time
        if durable > appliedLSN {
            if let last = lagMarkers.last, last.lsn >= durable {
                // Already waiting for this LSN since an earlier heartbeat.
            } else if lagMarkers.count < Self.maximumLagMarkers {
                lagMarkers.append((durable, now))
            } else {
                lagMarkers[lagMarkers.count - 1].lsn = durable
            }
        }
        acknowledgedDurable = durableLSN
        acknowledgedApplied = appliedLSN
        return [.send(.ack(durableLSN: durableLSN, appliedLSN: appliedLSN))]
    }

    private mutating func acknowledgeIfAdvanced() -> [Action] {
        guard durableLSN > acknowledgedDurable || appliedLSN > acknowledgedApplied else { return [] }
        acknowledgedDurable = durableLSN
        acknowledgedApplied = appliedLSN
        return [.send(.ack(durableLSN: durableLSN, appliedLSN: appliedLSN))]
    }

    // MARK: Snapshot

    private mutating func storeChunk(
        _ progress: SnapshotProgress, lsn: UInt64, totalBytes: UInt64, offset: UInt64, bytes: [UInt8]
    ) -> [Action] {
        var progress = progress
        if let expected = progress.lsn {
            guard lsn == expected, totalBytes == progress.totalBytes, offset == progress.received else {
                return refuse(
                    .protocolViolation,
                    "snapshot chunk for LSN \(lsn) at offset \(offset) of \(totalBytes) bytes; expected LSN \(expected) at \(progress.received) of \(progress.totalBytes)")
            }
        } else {
            guard offset == 0 else {
                return refuse(.protocolViolation, "first snapshot chunk at offset \(offset)")
            }
            progress.lsn = lsn
            progress.totalBytes = totalBytes
        }
        progress.received += UInt64(bytes.count)
        state = .receivingSnapshot(progress)
        return [.storeSnapshotChunk(lsn: lsn, offset: offset, bytes: bytes, totalBytes: totalBytes)]
    }

    private mutating func finishSnapshot(
        _ progress: SnapshotProgress, lsn: UInt64, chainCRC: UInt32, nextFrameLSN: UInt64, terms: TermHistory
    ) -> [Action] {
        guard let expected = progress.lsn, lsn == expected, progress.received == progress.totalBytes else {
            return refuse(
                .protocolViolation,
                "snapshot done for LSN \(lsn) after \(progress.received) of \(progress.totalBytes) bytes")
        }
        if let leader, terms.lastTerm > leader.term {
            return refuse(.protocolViolation, "snapshot term history reaches term \(terms.lastTerm), past the leader's \(leader.term)")
        }
        appendedLSN = nextFrameLSN - 1
        lastCRC = chainCRC
        state = .streaming
        return [.installSnapshot(SnapshotInstallation(
            lsn: lsn, totalBytes: progress.totalBytes, chainCRC: chainCRC, nextFrameLSN: nextFrameLSN, terms: terms))]
    }

    private mutating func refuse(_ code: RefusalCode, _ text: String) -> [Action] {
        state = .closed
        return [.refuse(code, RefusalText.clipped(text))]
    }
}
