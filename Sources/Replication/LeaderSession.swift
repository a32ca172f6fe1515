/// The leader's side of one follower's connection, as a state machine without I/O.
///
/// The caller owns the socket, the WAL, the snapshot files and the clock; it feeds events and
/// carries out the returned actions in order. Times are monotonic nanoseconds, passed in.
///
/// Phases: `awaitingHello` → (`hello`) `challengeSent` → (follower's proof verified; the
/// `DivergenceResolver` decides) `locatingCommonPoint` → `streaming`, or `sendingSnapshot` →
/// `streaming`; any of them → `closed`.
///
/// Control messages (challenge, start, snapshotDone) come out of the session as `send` actions;
/// bulk data does not: the session says which frames to ship (`sendFrames`) or that a snapshot
/// is due (`sendSnapshot`), and the caller reads them from disk (or memory) and sends `frames`
/// and `snapshotChunk` messages itself.
///
/// Heartbeats go out every `heartbeatInterval` once the handshake is done; a follower that sent
/// nothing for `idleTimeout` (it answers every heartbeat) is closed.
public struct LeaderSession: Sendable {
    /// Settings of a leader's sessions (one leadership: a new term means new sessions).
    public struct Configuration: Sendable {
        /// The challenge-response over the replication secret.
        public let authenticator: ReplicationAuthenticator
        /// The leader's term.
        public let term: UInt64
        /// The leader's node name.
        public let node: String
        /// The leader's HTTP URL (`HTTP_ADVERTISE`).
        public let httpURL: String
        /// The leader's term history (its log's, including its own term record).
        public let terms: TermHistory
        /// Nanoseconds between heartbeats.
        public let heartbeatInterval: UInt64
        /// Close a follower that sent nothing for this long (nanoseconds).
        public let idleTimeout: UInt64

        /// Creates a configuration; throws when `node` or `httpURL` is empty or longer than
        /// 1 KiB of UTF-8, or when `terms` is newer than `term`.
        public init(
            authenticator: ReplicationAuthenticator, term: UInt64, node: String, httpURL: String,
            terms: TermHistory, heartbeatInterval: UInt64, idleTimeout: UInt64
        ) throws(ReplicationProtocolError) {
            for (field, text) in [("node", node), ("httpURL", httpURL)] {
                let length = text.utf8.count
                guard length >= 1, length <= ReplicationMessage.maximumTextLength else {
                    throw .invalidTextLength(field: field, length: length, maximum: ReplicationMessage.maximumTextLength)
                }
            }
            guard terms.lastTerm <= term else {
                throw .invalidTermHistory("the history reaches term \(terms.lastTerm), newer than the leader's term \(term)")
            }
            self.authenticator = authenticator
            self.term = term
            self.node = node
            self.httpURL = httpURL
            self.terms = terms
            self.heartbeatInterval = heartbeatInterval
            self.idleTimeout = idleTimeout
        }
    }

    /// Where the session is.
    public enum Phase: Sendable, Hashable {
        case awaitingHello, challengeSent, locatingCommonPoint, sendingSnapshot, streaming, closed
    }

    /// What the caller must do, in order.
    public enum Action: Sendable, Equatable {
        /// Encode and send this message.
        case send(ReplicationMessage)
        /// Send `heartbeat(leaderDurableLSN: <the WAL's durable LSN>, leaderTimeMillis: <wall clock>)`.
        case sendHeartbeat
        /// Find the frame of the log that ends exactly at `lsn` and report its `crc` with
        /// `commonPointLocated` (for the LSN just before the oldest retained frame, that
        /// segment's base CRC), or report `commonPointMissing` when no frame ends there.
        case locateCommonPoint(lsn: UInt64)
        /// Read the frames holding LSNs `from...through` (`from` is a frame's first LSN,
        /// `through` a frame's last) and send them, in order, as `frames` messages.
        case sendFrames(from: UInt64, through: UInt64)
        /// Send the newest snapshot file as `snapshotChunk` messages, then report `snapshotSent`.
        case sendSnapshot
        /// The follower is about to stream and has everything up to `durableLSN` durable: register
        /// it with the acknowledgement rule (`followerConnected`). It comes before the message
        /// that starts the stream, so the follower's first acknowledgement finds it registered. A
        /// second session of the same name must be ended (and its `followerLeft` carried out)
        /// first.
        case followerJoined(name: String, durableLSN: UInt64, at: UInt64)
        /// The follower acknowledged (`AcknowledgementRule.followerAcknowledged`).
        case acknowledged(follower: String, durableLSN: UInt64, appliedLSN: UInt64, at: UInt64)
        /// The follower left: unregister it from the acknowledgement rule.
        case followerLeft(name: String)
        /// Send `refuse(code, text)`, then close the connection.
        case refuse(RefusalCode, String)
        /// Close the connection.
        case close(SessionCloseReason)
    }

    private enum State: Sendable {
        case awaitingHello
        case challengeSent(follower: String, followerNonce: [UInt8])
        case locatingCommonPoint(follower: String, lsn: UInt64, mode: StartInstruction.Mode, followerCRC: UInt32)
        case sendingSnapshot(follower: String)
        case streaming(follower: String)
        case closed
    }

    /// The settings.
    public let configuration: Configuration
    /// The nonce this session sends in `challenge`.
    public let nonce: [UInt8]

    private var state: State = .awaitingHello
    /// The follower's node name as `hello` claimed it (authenticated only once its proof verified,
    /// that is from `locatingCommonPoint` or `sendingSnapshot` on).
    public private(set) var followerName: String?
    /// Where the follower's log ended, once its proof arrived.
    public private(set) var followerPosition: LogPosition?
    /// How the follower's log joins this one, once decided.
    public private(set) var decision: DivergenceResolver.Decision?
    /// The last LSN the follower acknowledged durable (the common point before any ack).
    public private(set) var acknowledgedDurableLSN: UInt64 = 0
    /// The last LSN the follower acknowledged applied.
    public private(set) var acknowledgedAppliedLSN: UInt64 = 0
    /// The last LSN handed to the caller to send (`sendFrames`).
    public private(set) var sentThroughLSN: UInt64 = 0
    /// The last LSN of the log that may be shipped.
    public private(set) var logEnd: UInt64
    /// The first LSN the leader still retains frames for.
    public private(set) var oldestRetainedLSN: UInt64
    /// The last LSN the follower had when its stream began (common point, or the LSN before a
    /// snapshot's next frame).
    private var streamBase: UInt64 = 0
    private var lastHeard: UInt64
    private var lastHeartbeat: UInt64 = 0

    /// A session for a follower that has just connected at `now`. `nonce` must be 32 fresh
    /// random bytes; `logEnd` and `oldestRetainedLSN` describe the log as it is now (later
    /// changes come as `framesAvailable` and `retentionChanged`).
    public init(
        configuration: Configuration, nonce: [UInt8], logEnd: UInt64, oldestRetainedLSN: UInt64, now: UInt64
    ) throws(ReplicationProtocolError) {
        guard nonce.count == ReplicationMessage.nonceLength else {
            throw .invalidByteCount(field: "nonce", count: nonce.count, expected: ReplicationMessage.nonceLength)
        }
        self.configuration = configuration
        self.nonce = nonce
        self.logEnd = logEnd
        self.oldestRetainedLSN = oldestRetainedLSN
        self.lastHeard = now
    }

    /// Where the session is.
    public var phase: Phase {
        switch state {
        case .awaitingHello: .awaitingHello
        case .challengeSent: .challengeSent
        case .locatingCommonPoint: .locatingCommonPoint
        case .sendingSnapshot: .sendingSnapshot
        case .streaming: .streaming
        case .closed: .closed
        }
    }

    /// The oldest LSN this follower may still need from the log, for retention: the LSN after
    /// its acknowledged durable LSN (or after the point where its stream began, when that is
    /// later: a snapshot's next frame); nil before it streams.
    public var neededLSN: UInt64? {
        guard case .streaming = state else { return nil }
        return max(acknowledgedDurableLSN, streamBase) + 1
    }

    // MARK: Events

    /// A message arrived from the follower.
    public mutating func received(_ message: ReplicationMessage, now: UInt64) -> [Action] {
        if case .closed = state { return [] }
        lastHeard = now
        if case let .refuse(code, text) = message {
            return end(with: .close(.refusedByPeer(code, text)))
        }
        switch (state, message) {
        case let (.awaitingHello, .hello(version, node, followerNonce)):
            return hello(version: version, node: node, followerNonce: followerNonce)
        case let (.challengeSent(name, followerNonce), .proof(proof, position)):
            return verifyFollower(name: name, proof: proof, position: position, followerNonce: followerNonce, now: now)
        case let (.streaming(name), .ack(durable, applied)):
            return acknowledge(name: name, durable: durable, applied: applied, now: now)
        case let (.sendingSnapshot, .ack(durable, _)):
            // A heartbeat reply while the snapshot is on its way: liveness only, and nothing of
            // this log can be durable there yet.
            guard durable == 0 else {
                return refuse(.protocolViolation, "acknowledgement of LSN \(durable) before the snapshot was installed")
            }
            return []
        default:
            return refuse(.protocolViolation, "unexpected \(message.kind) message while \(phase)")
        }
    }

    /// The bytes from the follower did not decode: the stream has lost its framing.
    public mutating func decodingFailed(_ error: ReplicationProtocolError) -> [Action] {
        if case .closed = state { return [] }
        return refuse(.protocolViolation, "undecodable message: \(error)")
    }

    /// Answer to `locateCommonPoint`: the frame ending at the common point has this `crc`.
    public mutating func commonPointLocated(crc: UInt32, now: UInt64) -> [Action] {
        guard case let .locatingCommonPoint(name, lsn, mode, followerCRC) = state else { return [] }
        return beginStreaming(name: name, mode: mode, commonLSN: lsn, commonCRC: crc, followerCRC: followerCRC, now: now)
    }

    /// Answer to `locateCommonPoint`: no frame of the log ends at the common point.
    public mutating func commonPointMissing() -> [Action] {
        guard case let .locatingCommonPoint(_, lsn, _, _) = state else { return [] }
        return refuse(.unrelatedLog, "no frame of the leader's log ends at LSN \(lsn)")
    }

    /// The snapshot file (for `lsn`) has been sent; frames continue from `nextFrameLSN`
    /// (`<= lsn + 1`, a frame start the log still retains), chaining from `chainCRC`.
    public mutating func snapshotSent(lsn: UInt64, chainCRC: UInt32, nextFrameLSN: UInt64, now: UInt64) -> [Action] {
        guard case let .sendingSnapshot(name) = state else { return [] }
        guard nextFrameLSN >= 1, nextFrameLSN - 1 <= lsn, nextFrameLSN >= oldestRetainedLSN,
              nextFrameLSN - 1 <= logEnd
        else {
            return refuse(
                .protocolViolation,
                "the leader's snapshot at LSN \(lsn) does not join its log (next frame \(nextFrameLSN), retained \(oldestRetainedLSN)...\(logEnd))")
        }
        let terms = configuration.terms.truncated(to: nextFrameLSN - 1)
        let done = ReplicationMessage.snapshotDone(lsn: lsn, chainCRC: chainCRC, nextFrameLSN: nextFrameLSN, terms: terms)
        state = .streaming(follower: name)
        streamBase = nextFrameLSN - 1
        sentThroughLSN = nextFrameLSN - 1
        acknowledgedDurableLSN = 0
        var actions: [Action] = [.followerJoined(name: name, durableLSN: 0, at: now), .send(done)]
        if logEnd >= nextFrameLSN {
            actions.append(.sendFrames(from: nextFrameLSN, through: logEnd))
            sentThroughLSN = logEnd
        }
        return actions
    }

    /// The log now holds frames through `lsn` that may be shipped.
    public mutating func framesAvailable(upTo lsn: UInt64) -> [Action] {
        logEnd = max(logEnd, lsn)
        guard case .streaming = state, logEnd > sentThroughLSN else { return [] }
        let from = sentThroughLSN + 1
        sentThroughLSN = logEnd
        return [.sendFrames(from: from, through: logEnd)]
    }

    /// The leader dropped segments: frames before `oldestRetainedLSN` can no longer be read. A
    /// streaming follower that still needs them is told to catch up by snapshot.
    public mutating func retentionChanged(oldestRetainedLSN lsn: UInt64) -> [Action] {
        oldestRetainedLSN = lsn
        guard let needed = neededLSN, needed < lsn else { return [] }
        return refuse(
            .tooFarBehind,
            "the follower needs LSN \(needed); the leader retains from \(lsn): reconnect for a snapshot")
    }

    /// Time passed: send a heartbeat when due; close a follower silent for the idle timeout.
    public mutating func tick(now: UInt64) -> [Action] {
        if case .closed = state { return [] }
        if now >= lastHeard, now - lastHeard >= configuration.idleTimeout {
            return end(with: .close(.timedOut))
        }
        switch state {
        case .streaming, .sendingSnapshot:
            guard now >= lastHeartbeat, now - lastHeartbeat >= configuration.heartbeatInterval else { return [] }
            lastHeartbeat = now
            return [.sendHeartbeat]
        case .awaitingHello, .challengeSent, .locatingCommonPoint, .closed:
            return []
        }
    }

    /// This node is no longer the leader: refuse the follower so it looks for the new one.
    public mutating func stepDown() -> [Action] {
        if case .closed = state { return [] }
        return refuse(.notLeader, "\(configuration.node) is no longer the leader of term \(configuration.term)")
    }

    /// The connection closed (by the peer, or after a `refuse` or `close` action).
    public mutating func closed() -> [Action] {
        if case .closed = state { return [] }
        return end(with: nil)
    }

    // MARK: Handshake

    private mutating func hello(version: UInt16, node: String, followerNonce: [UInt8]) -> [Action] {
        guard version == ReplicationMessage.protocolVersion else {
            return refuse(
                .unsupportedVersion,
                "protocol version \(version) is not supported; this leader speaks \(ReplicationMessage.protocolVersion)")
        }
        followerName = node
        state = .challengeSent(follower: node, followerNonce: followerNonce)
        let proof = configuration.authenticator.leaderProof(followerNonce: followerNonce, leaderNonce: nonce)
        return [.send(.challenge(nonce: nonce, proof: proof))]
    }

    private mutating func verifyFollower(
        name: String, proof: [UInt8], position: LogPosition, followerNonce: [UInt8], now: UInt64
    ) -> [Action] {
        guard configuration.authenticator.isValidFollowerProof(proof, leaderNonce: nonce, followerNonce: followerNonce) else {
            return refuse(.badSecret, "the follower's proof does not verify: it does not know the replication secret")
        }
        guard position.terms.isConsistent(withLogEnd: position.durableLSN),
              position.durableLSN > 0 || position.lastCRC == 0
        else {
            return refuse(.protocolViolation, "the follower's position is inconsistent: terms \(position.terms) for a log ending at \(position.durableLSN)")
        }
        followerPosition = position
        lastHeartbeat = now
        let log = DivergenceResolver.LeaderLog(
            terms: configuration.terms, logEnd: logEnd, currentTerm: configuration.term,
            oldestRetainedLSN: oldestRetainedLSN)
        let decision = DivergenceResolver.resolve(leader: log, follower: position)
        self.decision = decision
        switch decision {
        case let .refuse(code):
            return refuse(code, refusalText(code, position: position))
        case .snapshot:
            state = .sendingSnapshot(follower: name)
            let start = StartInstruction(
                term: configuration.term, leaderNode: configuration.node, leaderHTTP: configuration.httpURL,
                mode: .snapshotFirst, commonLSN: 0, commonCRC: 0)
            return [.send(.start(start)), .sendSnapshot]
        case let .stream(from):
            return locate(name: name, lsn: from - 1, mode: .stream, followerCRC: position.lastCRC, now: now)
        case let .truncate(to):
            return locate(name: name, lsn: to, mode: .truncateThenStream, followerCRC: position.lastCRC, now: now)
        }
    }

    /// The chain CRC at LSN 0 is 0 (the first segment of a log chains from 0), so no lookup.
    private mutating func locate(
        name: String, lsn: UInt64, mode: StartInstruction.Mode, followerCRC: UInt32, now: UInt64
    ) -> [Action] {
        if lsn == 0 {
            return beginStreaming(name: name, mode: mode, commonLSN: 0, commonCRC: 0, followerCRC: followerCRC, now: now)
        }
        state = .locatingCommonPoint(follower: name, lsn: lsn, mode: mode, followerCRC: followerCRC)
        return [.locateCommonPoint(lsn: lsn)]
    }

    private mutating func beginStreaming(
        name: String, mode: StartInstruction.Mode, commonLSN: UInt64, commonCRC: UInt32, followerCRC: UInt32, now: UInt64
    ) -> [Action] {
        if mode == .stream, commonCRC != followerCRC {
            return refuse(
                .unrelatedLog,
                "the follower's chain CRC at LSN \(commonLSN) differs from the leader's: the logs are unrelated")
        }
        let start = StartInstruction(
            term: configuration.term, leaderNode: configuration.node, leaderHTTP: configuration.httpURL,
            mode: mode, commonLSN: commonLSN, commonCRC: commonCRC)
        state = .streaming(follower: name)
        streamBase = commonLSN
        acknowledgedDurableLSN = commonLSN
        sentThroughLSN = commonLSN
        var actions: [Action] = [.followerJoined(name: name, durableLSN: commonLSN, at: now), .send(.start(start))]
        if logEnd > commonLSN {
            actions.append(.sendFrames(from: commonLSN + 1, through: logEnd))
            sentThroughLSN = logEnd
        }
        return actions
    }

    private func refusalText(_ code: RefusalCode, position: LogPosition) -> String {
        switch code {
        case .followerAhead:
            "the follower's log reaches term \(position.terms.lastTerm), newer than this leader's term \(configuration.term)"
        case .unrelatedLog:
            "the follower's terms (\(position.terms)) share no term with the leader's (\(configuration.terms))"
        default:
            "\(code)"
        }
    }

    // MARK: Streaming

    private mutating func acknowledge(name: String, durable: UInt64, applied: UInt64, now: UInt64) -> [Action] {
        guard durable <= sentThroughLSN else {
            return refuse(.protocolViolation, "acknowledgement of LSN \(durable), but only \(sentThroughLSN) was sent")
        }
        // Acknowledgements only advance: one overtaken by a later one on the way (the follower
        // answers heartbeats and durable frames from concurrent paths) moves nothing back, and
        // still says the follower is alive.
        acknowledgedDurableLSN = max(acknowledgedDurableLSN, durable)
        acknowledgedAppliedLSN = max(acknowledgedAppliedLSN, applied)
        let durable = acknowledgedDurableLSN, applied = acknowledgedAppliedLSN
        return [.acknowledged(follower: name, durableLSN: durable, appliedLSN: applied, at: now)]
    }

    private mutating func refuse(_ code: RefusalCode, _ text: String) -> [Action] {
        end(with: .refuse(code, RefusalText.clipped(text)))
    }

    /// Closes the session: the final action, preceded by `followerLeft` once the follower had
    /// joined (it streams).
    private mutating func end(with action: Action?) -> [Action] {
        var actions: [Action] = []
        if case let .streaming(name) = state {
            actions.append(.followerLeft(name: name))
        }
        state = .closed
        if let action { actions.append(action) }
        return actions
    }
}
