@testable import Replication

/// One leader–follower connection in memory: both session state machines, their logs, and a
/// caller that carries out every action the way the real wiring must (bytes go through the
/// encoder and the incremental decoder; frames are appended to the follower's log; acks reach
/// the leader's acknowledgement rule).
struct ReplicationLink {
    var leader: LeaderSession
    var follower: FollowerSession
    var leaderLog: MemoryLog
    var followerLog: MemoryLog
    var rule: AcknowledgementRule?
    /// The leader's newest snapshot: file bytes, its LSN; frames after it start where the log's
    /// frame holding `lsn + 1` starts.
    var snapshot: (bytes: [UInt8], lsn: UInt64)?
    var now: UInt64 = 0

    private var toLeader = ReplicationMessageDecoder()
    private var toFollower = ReplicationMessageDecoder()
    /// Flip one payload byte of the next `frames` message on the wire.
    var corruptNextFrames = false
    /// Deliver only this many bytes of the next `frames` message, then cut the connection.
    var cutNextFramesAfter: Int?

    private(set) var leaderClosed = false
    private(set) var followerClosed = false
    private(set) var refusedByFollower: RefusalCode?
    private(set) var refusedByLeader: RefusalCode?
    private(set) var adoptedTerms: [UInt64] = []
    private(set) var cutFrames: [[UInt8]] = []
    private(set) var receivedSnapshot: [UInt8] = []
    private(set) var installed: FollowerSession.SnapshotInstallation?
    /// Every `confirm(upTo:)` of the rule, in order.
    private(set) var confirmations: [UInt64] = []
    private(set) var ruleLog: [AcknowledgementRule.Action] = []

    init(
        leaderLog: MemoryLog, followerLog: MemoryLog, leaderTerm: UInt64, followerCurrentTerm: UInt64 = 0,
        oldestRetained: UInt64? = nil, leaderSecret: [UInt8] = testSecret, followerSecret: [UInt8] = testSecret,
        rule: AcknowledgementRule? = nil, snapshot: (bytes: [UInt8], lsn: UInt64)? = nil
    ) {
        self.leaderLog = leaderLog
        self.followerLog = followerLog
        self.rule = rule
        self.snapshot = snapshot
        leader = try! LeaderSession(
            configuration: leaderConfiguration(secret: leaderSecret, term: leaderTerm, terms: leaderLog.terms),
            nonce: ReplicationAuthenticator.makeNonce(), logEnd: leaderLog.endLSN,
            oldestRetainedLSN: oldestRetained ?? leaderLog.baseLSN, now: 0)
        follower = try! FollowerSession(
            configuration: followerConfiguration(secret: followerSecret), position: followerLog.position,
            appliedLSN: followerLog.endLSN, currentTerm: followerCurrentTerm, nonce: ReplicationAuthenticator.makeNonce())
    }

    var isOpen: Bool { !leaderClosed && !followerClosed }

    /// The follower connects; everything runs until both sides are idle.
    mutating func connect() {
        follow(follower.connected(now: now))
    }

    /// The leader writes `count` records in one frame; clients wait for them.
    mutating func leaderWrites(count: Int, tag: String = "") {
        let lsn = leaderLog.write(count: count, tag: tag)
        applyRule(rule?.writeWaiting(through: lsn, since: now))
        applyRule(rule?.leaderSynced(through: lsn, now: now))
        if !leaderClosed { lead(leader.framesAvailable(upTo: lsn)) }
    }

    mutating func advance(by nanoseconds: UInt64) {
        now += nanoseconds
        applyRule(rule?.tick(now: now))
        if !leaderClosed { lead(leader.tick(now: now)) }
        if !followerClosed { follow(follower.tick(now: now)) }
    }

    // MARK: Follower side

    private mutating func follow(_ actions: [FollowerSession.Action]) {
        for action in actions {
            switch action {
            case let .send(message):
                deliverToLeader(message)
            case let .adoptTerm(term):
                adoptedTerms.append(term)
            case let .truncateLog(lsn, crc):
                if followerLog.crc(endingAt: lsn) == crc {
                    cutFrames += followerLog.truncate(to: lsn)
                } else {
                    follow(follower.truncationFailed(reason: "no frame ends at LSN \(lsn) with that CRC"))
                }
            case let .appendFrames(bytes, _, last):
                try! followerLog.append(bytes)
                follow(follower.framesDurable(through: last))
                follow(follower.applied(through: last))
            case let .storeSnapshotChunk(_, offset, bytes, total):
                precondition(Int(offset) == receivedSnapshot.count && offset + UInt64(bytes.count) <= total)
                receivedSnapshot += bytes
            case let .installSnapshot(installation):
                installed = installation
                followerLog = MemoryLog(
                    baseLSN: installation.nextFrameLSN, baseCRC: installation.chainCRC, terms: installation.terms)
                follow(follower.framesDurable(through: installation.nextFrameLSN - 1))
                follow(follower.applied(through: installation.lsn))
            case let .refuse(code, text):
                refusedByFollower = code
                deliverToLeader(.refuse(code: code, message: text))
                followerClosed = true
                connectionClosed()
            case .close:
                followerClosed = true
                connectionClosed()
            }
        }
    }

    private mutating func deliverToFollower(_ message: ReplicationMessage) {
        guard !followerClosed else { return }
        var bytes = try! message.encoded()
        if case .frames = message {
            if corruptNextFrames {
                corruptNextFrames = false
                bytes[5 + 48 + 2] ^= 0x20  // a payload byte of the first frame
            }
            if let cut = cutNextFramesAfter {
                cutNextFramesAfter = nil
                toFollower.append(bytes[0..<cut])
                drainFollower()
                connectionClosed()
                return
            }
        }
        toFollower.append(bytes)
        drainFollower()
    }

    private mutating func drainFollower() {
        while !followerClosed {
            do {
                guard let message = try toFollower.next() else { return }
                follow(follower.received(message, now: now))
            } catch {
                follow(follower.decodingFailed(error))
            }
        }
    }

    // MARK: Leader side

    private mutating func lead(_ actions: [LeaderSession.Action]) {
        for action in actions {
            switch action {
            case let .send(message):
                deliverToFollower(message)
            case .sendHeartbeat:
                deliverToFollower(.heartbeat(leaderDurableLSN: leaderLog.endLSN, leaderTimeMillis: 1_700_000_000_000))
            case let .locateCommonPoint(lsn):
                if let crc = leaderLog.crc(endingAt: lsn) {
                    lead(leader.commonPointLocated(crc: crc, now: now))
                } else {
                    lead(leader.commonPointMissing())
                }
            case let .sendFrames(from, through):
                // Two frames per message, as a caller packing messages up to a size would.
                let frames = leaderLog.frames(from: from, through: through)
                var i = 0
                while i < frames.count, !followerClosed {
                    deliverToFollower(.frames(bytes: frames[i..<min(frames.count, i + 2)].flatMap { $0 }))
                    i += 2
                }
            case .sendSnapshot:
                let (bytes, lsn) = snapshot!
                var offset = 0
                while offset < bytes.count {
                    let chunk = Array(bytes[offset..<min(bytes.count, offset + 7)])
                    deliverToFollower(.snapshotChunk(lsn: lsn, totalBytes: UInt64(bytes.count), offset: UInt64(offset), bytes: chunk))
                    offset += chunk.count
                }
                let next = leaderLog.headers.first { $0.lastLSN > lsn }!
                lead(leader.snapshotSent(lsn: lsn, chainCRC: next.prevCRC, nextFrameLSN: next.firstLSN, now: now))
            case let .followerJoined(name, durable, at):
                applyRule(rule?.followerConnected(name, durableLSN: durable, now: at))
            case let .acknowledged(name, durable, _, at):
                applyRule(rule?.followerAcknowledged(name, durableLSN: durable, now: at))
            case let .followerLeft(name):
                applyRule(rule?.followerDisconnected(name, now: now))
            case let .refuse(code, text):
                refusedByLeader = code
                deliverToFollower(.refuse(code: code, message: text))
                leaderClosed = true
                connectionClosed()
            case .close:
                leaderClosed = true
                connectionClosed()
            }
        }
    }

    private mutating func deliverToLeader(_ message: ReplicationMessage) {
        guard !leaderClosed else { return }
        toLeader.append(try! message.encoded())
        while !leaderClosed {
            do {
                guard let next = try toLeader.next() else { return }
                lead(leader.received(next, now: now))
            } catch {
                lead(leader.decodingFailed(error))
            }
        }
    }

    /// The TCP connection is gone: both sides learn it.
    private mutating func connectionClosed() {
        leaderClosed = true
        followerClosed = true
        lead(leader.closed())
        follow(follower.closed())
    }

    private mutating func applyRule(_ actions: [AcknowledgementRule.Action]?) {
        for action in actions ?? [] {
            ruleLog.append(action)
            if case let .confirm(upTo) = action { confirmations.append(upTo) }
        }
    }
}
