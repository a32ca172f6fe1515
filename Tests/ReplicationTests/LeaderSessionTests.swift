import Testing
@testable import Replication

@Suite struct LeaderSessionTests {
    /// Leader of term 2 whose log is term 0 from LSN 1, then term 2 from LSN 51, ending at 100.
    static let terms = history((0, 1), (2, 51))

    func leader(
        logEnd: UInt64 = 100, oldestRetained: UInt64 = 1, terms: TermHistory = terms, term: UInt64 = 2
    ) -> LeaderSession {
        try! LeaderSession(
            configuration: leaderConfiguration(term: term, terms: terms), nonce: leaderNonce, logEnd: logEnd,
            oldestRetainedLSN: oldestRetained, now: 0)
    }

    /// A leader that has answered hello (phase `challengeSent`).
    func challenged(logEnd: UInt64 = 100, oldestRetained: UInt64 = 1) -> LeaderSession {
        var session = leader(logEnd: logEnd, oldestRetained: oldestRetained)
        _ = session.received(.hello(version: 1, node: "follower-1", nonce: followerNonce), now: 1)
        return session
    }

    func start(_ mode: StartInstruction.Mode, _ lsn: UInt64, _ crc: UInt32) -> LeaderSession.Action {
        .send(.start(StartInstruction(
            term: 2, leaderNode: "leader-1", leaderHTTP: "http://127.0.0.1:8080", mode: mode, commonLSN: lsn, commonCRC: crc)))
    }

    /// A leader streaming to a follower that had LSNs up to 40 (crc 40).
    func streaming() -> LeaderSession {
        var session = challenged()
        _ = session.received(genuineProof(LogPosition(durableLSN: 40, lastCRC: 40, terms: TermHistory())), now: 2)
        _ = session.commonPointLocated(crc: 40, now: 3)
        #expect(session.phase == .streaming)
        return session
    }

    // MARK: Handshake

    @Test func helloIsAnsweredWithTheLeadersProof() {
        var session = leader()
        #expect(session.phase == .awaitingHello)
        let actions = session.received(.hello(version: 1, node: "follower-1", nonce: followerNonce), now: 1)
        #expect(actions == [.send(genuineChallenge())])
        #expect(session.phase == .challengeSent)
        #expect(session.followerName == "follower-1")
    }

    @Test func aFreshFollowerStreamsFromLSN1WithoutALookup() {
        var session = challenged()
        let actions = session.received(genuineProof(.empty), now: 2)
        #expect(actions == [
            .followerJoined(name: "follower-1", durableLSN: 0, at: 2), start(.stream, 0, 0), .sendFrames(from: 1, through: 100),
        ])
        #expect(session.phase == .streaming)
        #expect(session.decision == .stream(from: 1))
        #expect(session.sentThroughLSN == 100)
        #expect(session.neededLSN == 1)
    }

    @Test func aFollowerBehindStreamsAfterTheChainCRCMatches() {
        var session = challenged()
        let position = LogPosition(durableLSN: 60, lastCRC: 0x6060, terms: Self.terms)
        #expect(session.received(genuineProof(position), now: 2) == [.locateCommonPoint(lsn: 60)])
        #expect(session.phase == .locatingCommonPoint)
        #expect(session.commonPointLocated(crc: 0x6060, now: 3) == [
            .followerJoined(name: "follower-1", durableLSN: 60, at: 3), start(.stream, 60, 0x6060), .sendFrames(from: 61, through: 100),
        ])
        #expect(session.followerPosition == position)
    }

    @Test func aFollowerUpToDateGetsNoFramesYet() {
        var session = challenged()
        _ = session.received(genuineProof(LogPosition(durableLSN: 100, lastCRC: 7, terms: Self.terms)), now: 2)
        #expect(session.commonPointLocated(crc: 7, now: 3) == [.followerJoined(name: "follower-1", durableLSN: 100, at: 3), start(.stream, 100, 7)])
        #expect(session.framesAvailable(upTo: 104) == [.sendFrames(from: 101, through: 104)])
    }

    @Test func aDifferentChainAtTheSameLSNIsAnUnrelatedLog() {
        var session = challenged()
        _ = session.received(genuineProof(LogPosition(durableLSN: 30, lastCRC: 1, terms: TermHistory())), now: 2)
        let actions = session.commonPointLocated(crc: 2, now: 3)
        #expect(refusal(actions) == .unrelatedLog)
        #expect(actions.count == 1)  // never joined, so no followerLeft
        #expect(session.phase == .closed)
    }

    @Test func aCommonPointThatIsNoFrameBoundaryIsAnUnrelatedLog() {
        var session = challenged()
        _ = session.received(genuineProof(LogPosition(durableLSN: 30, lastCRC: 1, terms: TermHistory())), now: 2)
        #expect(session.commonPointMissing() == [.refuse(.unrelatedLog, "no frame of the leader's log ends at LSN 30")])
    }

    @Test func aDivergentFollowerIsToldToCutBack() {
        var session = challenged()
        // The follower led term 1 from LSN 51 (which this leader never saw) up to LSN 70.
        let position = LogPosition(durableLSN: 70, lastCRC: 0x7070, terms: history((0, 1), (1, 51)))
        #expect(session.received(genuineProof(position), now: 2) == [.locateCommonPoint(lsn: 50)])
        #expect(session.decision == .truncate(to: 50))
        // The follower's CRC is of its own tail, so it is not compared: the follower checks its
        // CRC at the common point before it cuts.
        #expect(session.commonPointLocated(crc: 0x5050, now: 3) == [
            .followerJoined(name: "follower-1", durableLSN: 50, at: 3), start(.truncateThenStream, 50, 0x5050),
            .sendFrames(from: 51, through: 100),
        ])
    }

    @Test func aFollowerOlderThanRetentionGetsASnapshot() {
        var session = challenged(oldestRetained: 80)
        #expect(session.received(genuineProof(LogPosition(durableLSN: 20, lastCRC: 1, terms: TermHistory())), now: 2)
            == [start(.snapshotFirst, 0, 0), .sendSnapshot])
        #expect(session.phase == .sendingSnapshot)
        #expect(session.neededLSN == nil)
        // Heartbeat replies while the snapshot is on its way carry nothing durable.
        #expect(session.received(.ack(durableLSN: 0, appliedLSN: 0), now: 3) == [])
        let done = session.snapshotSent(lsn: 90, chainCRC: 0xCC, nextFrameLSN: 88, now: 4)
        #expect(done == [
            .followerJoined(name: "follower-1", durableLSN: 0, at: 4),
            .send(.snapshotDone(lsn: 90, chainCRC: 0xCC, nextFrameLSN: 88, terms: Self.terms)), .sendFrames(from: 88, through: 100),
        ])
        #expect(session.phase == .streaming)
        #expect(session.neededLSN == 88)
        // A retention change up to the stream's start does not drop the follower.
        #expect(session.retentionChanged(oldestRetainedLSN: 88) == [])
        // The follower installs and acknowledges.
        #expect(session.received(.ack(durableLSN: 87, appliedLSN: 90), now: 5)
            == [.acknowledged(follower: "follower-1", durableLSN: 87, appliedLSN: 90, at: 5)])
    }

    @Test func snapshotTermHistoryStopsBeforeTheNextFrame() {
        var session = challenged(oldestRetained: 40)
        _ = session.received(genuineProof(.empty), now: 2)
        let done = session.snapshotSent(lsn: 50, chainCRC: 0xCC, nextFrameLSN: 48, now: 4)
        #expect(done.dropFirst().first == .send(.snapshotDone(lsn: 50, chainCRC: 0xCC, nextFrameLSN: 48, terms: history((0, 1)))))
    }

    @Test func aSnapshotThatDoesNotJoinTheLogIsRefused() {
        for (lsn, next) in [(UInt64(90), UInt64(92)), (90, 0), (90, 79), (200, 150)] {
            var session = challenged(oldestRetained: 80)
            _ = session.received(genuineProof(.empty), now: 2)
            #expect(refusal(session.snapshotSent(lsn: lsn, chainCRC: 0, nextFrameLSN: next, now: 3)) == .protocolViolation, "\(lsn) \(next)")
        }
    }

    @Test func acknowledgementsDuringASnapshotCannotClaimLSNs() {
        var session = challenged(oldestRetained: 80)
        _ = session.received(genuineProof(.empty), now: 2)
        #expect(refusal(session.received(.ack(durableLSN: 5, appliedLSN: 0), now: 3)) == .protocolViolation)
    }

    // MARK: Refusals

    @Test func anUnsupportedVersionIsRefused() {
        var session = leader()
        #expect(session.received(.hello(version: 2, node: "f", nonce: followerNonce), now: 1)
            == [.refuse(.unsupportedVersion, "protocol version 2 is not supported; this leader speaks 1")])
    }

    @Test func aWrongFollowerProofIsRefused() {
        var session = challenged()
        #expect(refusal(session.received(genuineProof(.empty, secret: otherSecret), now: 2)) == .badSecret)
        // A proof replayed from a connection with another leader nonce.
        var replay = challenged()
        let recorded = authenticator().followerProof(leaderNonce: nonce(0x99), followerNonce: followerNonce)
        #expect(refusal(replay.received(.proof(proof: recorded, position: .empty), now: 2)) == .badSecret)
    }

    @Test func aFollowerAheadInTermIsRefused() {
        var session = challenged()
        let actions = session.received(genuineProof(LogPosition(durableLSN: 60, lastCRC: 1, terms: history((0, 1), (3, 55)))), now: 2)
        #expect(actions == [.refuse(.followerAhead, "the follower's log reaches term 3, newer than this leader's term 2")])
    }

    @Test func aFollowerSharingNoTermIsRefused() {
        var session = challenged()
        let actions = session.received(genuineProof(LogPosition(durableLSN: 9, lastCRC: 1, terms: history((1, 1)))), now: 2)
        #expect(actions == [.refuse(.unrelatedLog, "the follower's terms (1@1) share no term with the leader's (0@1, 2@51)")])
    }

    @Test func anInconsistentPositionIsRefused() {
        var terms = challenged()
        #expect(refusal(terms.received(genuineProof(LogPosition(durableLSN: 10, lastCRC: 1, terms: history((0, 1), (2, 51)))), now: 2)) == .protocolViolation)
        var crc = challenged()
        #expect(refusal(crc.received(genuineProof(LogPosition(durableLSN: 0, lastCRC: 5, terms: TermHistory())), now: 2)) == .protocolViolation)
    }

    @Test func outOfOrderMessagesAreProtocolViolations() {
        var proofFirst = leader()
        #expect(refusal(proofFirst.received(genuineProof(.empty), now: 1)) == .protocolViolation)
        var helloTwice = challenged()
        #expect(refusal(helloTwice.received(.hello(version: 1, node: "f", nonce: followerNonce), now: 2)) == .protocolViolation)
        var earlyAck = challenged()
        #expect(refusal(earlyAck.received(.ack(durableLSN: 0, appliedLSN: 0), now: 2)) == .protocolViolation)
        var chain = FrameChain()
        for message: ReplicationMessage in [
            .frames(bytes: chain.frame(count: 1)), .heartbeat(leaderDurableLSN: 1, leaderTimeMillis: 1), startMessage(),
            genuineChallenge(), genuineProof(.empty), .snapshotChunk(lsn: 1, totalBytes: 1, offset: 0, bytes: [1]),
        ] {
            var session = streaming()
            let actions = session.received(message, now: 4)
            #expect(actions.first == .followerLeft(name: "follower-1"), "\(message.kind)")
            #expect(refusal(actions) == .protocolViolation, "\(message.kind)")
        }
        var locating = challenged()
        _ = locating.received(genuineProof(LogPosition(durableLSN: 60, lastCRC: 1, terms: Self.terms)), now: 2)
        #expect(refusal(locating.received(.ack(durableLSN: 60, appliedLSN: 60), now: 3)) == .protocolViolation)
    }

    @Test func undecodableBytesAreAProtocolViolation() {
        var session = streaming()
        #expect(session.decodingFailed(.emptyMessage) == [
            .followerLeft(name: "follower-1"), .refuse(.protocolViolation, "undecodable message: message of length 0 (no type byte)"),
        ])
        #expect(session.decodingFailed(.emptyMessage) == [])
    }

    @Test func refuseFromTheFollowerCloses() {
        var early = challenged()
        #expect(early.received(.refuse(code: .badSecret, message: "no"), now: 2) == [.close(.refusedByPeer(.badSecret, "no"))])
        var joined = streaming()
        #expect(joined.received(.refuse(code: .staleTerm, message: "old"), now: 4)
            == [.followerLeft(name: "follower-1"), .close(.refusedByPeer(.staleTerm, "old"))])
    }

    @Test func invalidSettingsAreRefused() {
        func configuration(node: String = "l", http: String = "h", term: UInt64 = 2, terms: TermHistory = TermHistory()) throws(ReplicationProtocolError) -> LeaderSession.Configuration {
            try LeaderSession.Configuration(
                authenticator: authenticator(), term: term, node: node, httpURL: http, terms: terms, heartbeatInterval: 1, idleTimeout: 1)
        }
        #expect(throws: ReplicationProtocolError.invalidTextLength(field: "node", length: 0, maximum: 1024)) { try configuration(node: "") }
        #expect(throws: ReplicationProtocolError.invalidTextLength(field: "httpURL", length: 1025, maximum: 1024)) {
            try configuration(http: String(repeating: "h", count: 1025))
        }
        #expect(throws: ReplicationProtocolError.invalidTermHistory("the history reaches term 3, newer than the leader's term 2")) {
            try configuration(terms: history((0, 1), (3, 4)))
        }
        #expect(throws: ReplicationProtocolError.invalidByteCount(field: "nonce", count: 0, expected: 32)) {
            try LeaderSession(configuration: leaderConfiguration(), nonce: [], logEnd: 0, oldestRetainedLSN: 1, now: 0)
        }
    }

    // MARK: Streaming

    @Test func acknowledgementsAreReportedAndChecked() {
        var session = streaming()
        #expect(session.received(.ack(durableLSN: 40, appliedLSN: 40), now: 4) == [.acknowledged(follower: "follower-1", durableLSN: 40, appliedLSN: 40, at: 4)])
        #expect(session.received(.ack(durableLSN: 90, appliedLSN: 85), now: 5) == [.acknowledged(follower: "follower-1", durableLSN: 90, appliedLSN: 85, at: 5)])
        #expect(session.acknowledgedDurableLSN == 90)
        #expect(session.acknowledgedAppliedLSN == 85)
        #expect(session.neededLSN == 91)
        // An acknowledgement overtaken by a later one changes nothing; one part advancing counts.
        var back = session
        #expect(back.received(.ack(durableLSN: 89, appliedLSN: 85), now: 6)
                    == [.acknowledged(follower: "follower-1", durableLSN: 90, appliedLSN: 85, at: 6)])
        #expect(back.acknowledgedDurableLSN == 90)
        #expect(back.received(.ack(durableLSN: 89, appliedLSN: 88), now: 7)
                    == [.acknowledged(follower: "follower-1", durableLSN: 90, appliedLSN: 88, at: 7)])
        // Past what was sent: refused.
        var ahead = session
        let actions = ahead.received(.ack(durableLSN: 101, appliedLSN: 90), now: 6)
        #expect(actions == [.followerLeft(name: "follower-1"), .refuse(.protocolViolation, "acknowledgement of LSN 101, but only 100 was sent")])
    }

    @Test func newFramesAreShippedOnce() {
        var session = streaming()
        #expect(session.framesAvailable(upTo: 100) == [])
        #expect(session.framesAvailable(upTo: 120) == [.sendFrames(from: 101, through: 120)])
        #expect(session.framesAvailable(upTo: 120) == [])
        #expect(session.framesAvailable(upTo: 110) == [])
        #expect(session.framesAvailable(upTo: 121) == [.sendFrames(from: 121, through: 121)])
        #expect(session.sentThroughLSN == 121)
    }

    @Test func framesWrittenDuringTheHandshakeAreIncluded() {
        var session = challenged()
        #expect(session.framesAvailable(upTo: 130) == [])
        _ = session.received(genuineProof(.empty), now: 2)
        #expect(session.sentThroughLSN == 130)
    }

    @Test func aFollowerThatFellBehindRetentionIsToldToCatchUpBySnapshot() {
        var session = streaming()
        _ = session.received(.ack(durableLSN: 60, appliedLSN: 60), now: 4)
        #expect(session.retentionChanged(oldestRetainedLSN: 61) == [])
        #expect(session.retentionChanged(oldestRetainedLSN: 62) == [
            .followerLeft(name: "follower-1"),
            .refuse(.tooFarBehind, "the follower needs LSN 61; the leader retains from 62: reconnect for a snapshot"),
        ])
        var handshaking = challenged()
        #expect(handshaking.retentionChanged(oldestRetainedLSN: 50) == [])
        #expect(handshaking.oldestRetainedLSN == 50)
    }

    // MARK: Time

    @Test func heartbeatsAtTheInterval() {
        var session = streaming()  // handshake done at 2
        #expect(session.tick(now: 2 + second - 1) == [])
        #expect(session.tick(now: 2 + second) == [.sendHeartbeat])
        #expect(session.tick(now: 2 + second + 10) == [])
        _ = session.received(.ack(durableLSN: 40, appliedLSN: 40), now: 2 * second)
        #expect(session.tick(now: 2 + 2 * second) == [.sendHeartbeat])
    }

    @Test func noHeartbeatsDuringTheHandshake() {
        var session = challenged()
        #expect(session.tick(now: 3 * second) == [])
    }

    @Test func heartbeatsWhileSendingASnapshot() {
        var session = challenged(oldestRetained: 80)
        _ = session.received(genuineProof(.empty), now: 2)
        #expect(session.tick(now: 2 + second) == [.sendHeartbeat])
    }

    @Test func aSilentFollowerIsClosed() {
        var silentBeforeHello = leader()
        #expect(silentBeforeHello.tick(now: 5 * second - 1) == [])
        #expect(silentBeforeHello.tick(now: 5 * second) == [.close(.timedOut)])
        var silentStreaming = streaming()  // last heard at 2
        _ = silentStreaming.received(.ack(durableLSN: 40, appliedLSN: 40), now: second)
        #expect(silentStreaming.tick(now: 6 * second - 1) == [.sendHeartbeat])
        #expect(silentStreaming.tick(now: 6 * second) == [.followerLeft(name: "follower-1"), .close(.timedOut)])
        #expect(silentStreaming.phase == .closed)
        #expect(silentStreaming.tick(now: 7 * second) == [])
    }

    @Test func steppingDownRefusesTheFollower() {
        var session = streaming()
        #expect(session.stepDown() == [.followerLeft(name: "follower-1"), .refuse(.notLeader, "leader-1 is no longer the leader of term 2")])
        #expect(session.stepDown() == [])
    }

    @Test func closingAJoinedSessionUnregistersTheFollowerOnce() {
        var session = streaming()
        #expect(session.closed() == [.followerLeft(name: "follower-1")])
        #expect(session.closed() == [])
        #expect(session.received(.ack(durableLSN: 50, appliedLSN: 50), now: 9) == [])
        var handshaking = challenged()
        #expect(handshaking.closed() == [])
        #expect(handshaking.commonPointLocated(crc: 1, now: 3) == [])
        #expect(handshaking.commonPointMissing() == [])
        #expect(handshaking.snapshotSent(lsn: 1, chainCRC: 0, nextFrameLSN: 1, now: 3) == [])
        #expect(handshaking.framesAvailable(upTo: 200) == [])
    }
}
