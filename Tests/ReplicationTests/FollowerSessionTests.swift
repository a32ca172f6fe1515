import Testing
@testable import Replication

@Suite struct FollowerSessionTests {
    func follower(
        _ position: LogPosition = .empty, applied: UInt64 = 0, currentTerm: UInt64 = 0,
        configuration: FollowerSession.Configuration = followerConfiguration()
    ) -> FollowerSession {
        try! FollowerSession(
            configuration: configuration, position: position, appliedLSN: applied, currentTerm: currentTerm,
            nonce: followerNonce)
    }

    /// A follower that has sent its proof (phase `proofSent`).
    func authenticated(_ position: LogPosition = .empty, applied: UInt64 = 0, currentTerm: UInt64 = 0) -> FollowerSession {
        var session = follower(position, applied: applied, currentTerm: currentTerm)
        _ = session.connected(now: 0)
        _ = session.received(genuineChallenge(), now: 1)
        #expect(session.phase == .proofSent)
        return session
    }

    /// A follower streaming after `start(stream)` from the end of `chain`.
    func streaming(_ chain: FrameChain, term: UInt64 = 2) -> FollowerSession {
        let position = LogPosition(durableLSN: chain.lastLSN, lastCRC: chain.lastCRC, terms: TermHistory())
        var session = authenticated(position, applied: chain.lastLSN)
        _ = session.received(startMessage(term: term, commonLSN: chain.lastLSN, commonCRC: chain.lastCRC), now: 2)
        #expect(session.phase == .streaming)
        return session
    }

    // MARK: Handshake

    @Test func handshakeThenStreaming() {
        var session = follower()
        #expect(session.phase == .connecting)
        #expect(session.connected(now: 0) == [.send(.hello(version: 1, node: "follower-1", nonce: followerNonce))])
        #expect(session.phase == .helloSent)
        #expect(session.connected(now: 0) == [])  // once only

        let actions = session.received(genuineChallenge(), now: 1)
        #expect(actions == [genuineProof(.empty)].map { .send($0) })
        #expect(session.phase == .proofSent)

        #expect(session.received(startMessage(term: 0), now: 2) == [])
        #expect(session.phase == .streaming)
        #expect(session.leader == FollowerSession.Leader(term: 0, node: "leader-1", httpURL: "http://127.0.0.1:8080"))
    }

    @Test func aNewerTermIsAdoptedBeforeAnythingElse() {
        var session = authenticated(.empty, currentTerm: 3)
        #expect(session.received(startMessage(term: 7), now: 2) == [.adoptTerm(7)])
        #expect(session.currentTerm == 7)
        #expect(session.leader?.term == 7)
    }

    @Test func aWrongLeaderProofIsRefusedBeforeAnythingElse() {
        var session = follower()
        _ = session.connected(now: 0)
        let actions = session.received(genuineChallenge(secret: otherSecret), now: 1)
        #expect(refusal(actions) == .badSecret)
        #expect(actions.count == 1)
        #expect(session.phase == .closed)
        // Nothing is taken afterwards, not even a start or frames.
        #expect(session.received(startMessage(), now: 2) == [])
        var chain = FrameChain()
        #expect(session.received(.frames(bytes: chain.frame(count: 1)), now: 2) == [])
    }

    @Test func aProofForAnotherNonceIsRefused() {
        var session = follower()
        _ = session.connected(now: 0)
        // A proof recorded from another connection (made for a different follower nonce).
        let replayed = authenticator().leaderProof(followerNonce: nonce(0xAA), leaderNonce: leaderNonce)
        #expect(refusal(session.received(.challenge(nonce: leaderNonce, proof: replayed), now: 1)) == .badSecret)
    }

    @Test func aStartFromAnOlderTermIsRefused() {
        var fromPosition = authenticated(LogPosition(durableLSN: 5, lastCRC: 9, terms: history((0, 1), (4, 3))))
        let actions = fromPosition.received(startMessage(term: 3, commonLSN: 5, commonCRC: 9), now: 2)
        #expect(refusal(actions) == .staleTerm)
        #expect(fromPosition.phase == .closed)
        // The persisted newest term counts too.
        var fromPersisted = authenticated(.empty, currentTerm: 6)
        #expect(refusal(fromPersisted.received(startMessage(term: 5), now: 2)) == .staleTerm)
        // The same term is fine.
        var same = authenticated(.empty, currentTerm: 6)
        #expect(same.received(startMessage(term: 6), now: 2) == [])
    }

    @Test func outOfOrderMessagesAreProtocolViolations() {
        var chain = FrameChain()
        let frames = ReplicationMessage.frames(bytes: chain.frame(count: 1))
        // Before hello.
        var early = follower()
        #expect(refusal(early.received(genuineChallenge(), now: 0)) == .protocolViolation)
        // Start instead of a challenge.
        var noChallenge = follower()
        _ = noChallenge.connected(now: 0)
        #expect(refusal(noChallenge.received(startMessage(), now: 1)) == .protocolViolation)
        // Frames before start.
        var noStart = authenticated()
        #expect(refusal(noStart.received(frames, now: 2)) == .protocolViolation)
        // A second challenge.
        var twice = authenticated()
        #expect(refusal(twice.received(genuineChallenge(), now: 2)) == .protocolViolation)
        // Follower-side messages from the leader, and snapshot messages while streaming.
        for message: ReplicationMessage in [
            .ack(durableLSN: 1, appliedLSN: 1), .hello(version: 1, node: "x", nonce: nonce(1)), genuineProof(.empty),
            .snapshotChunk(lsn: 1, totalBytes: 1, offset: 0, bytes: [1]),
            .snapshotDone(lsn: 1, chainCRC: 0, nextFrameLSN: 1, terms: TermHistory()), startMessage(),
        ] {
            var session = streaming(FrameChain())
            #expect(refusal(session.received(message, now: 3)) == .protocolViolation, "\(message.kind)")
            #expect(session.phase == .closed)
        }
    }

    @Test func streamStartMustMatchTheFollowersEnd() {
        let position = LogPosition(durableLSN: 10, lastCRC: 77, terms: TermHistory())
        var wrongLSN = authenticated(position)
        #expect(refusal(wrongLSN.received(startMessage(commonLSN: 9, commonCRC: 77), now: 2)) == .protocolViolation)
        var wrongCRC = authenticated(position)
        #expect(refusal(wrongCRC.received(startMessage(commonLSN: 10, commonCRC: 78), now: 2)) == .unrelatedLog)
    }

    @Test func refuseFromTheLeaderCloses() {
        var session = authenticated()
        #expect(session.received(.refuse(code: .followerAhead, message: "newer term"), now: 2)
            == [.close(.refusedByPeer(.followerAhead, "newer term"))])
        #expect(session.phase == .closed)
        #expect(session.tick(now: 1_000 * second) == [])
    }

    @Test func undecodableBytesAreAProtocolViolation() {
        var session = authenticated()
        let actions = session.decodingFailed(.unknownMessageType(0xEE))
        #expect(actions == [.refuse(.protocolViolation, "undecodable message: unknown message type 238")])
        #expect(session.decodingFailed(.emptyMessage) == [])
    }

    @Test func invalidSettingsAreRefused() {
        #expect(throws: ReplicationProtocolError.invalidByteCount(field: "nonce", count: 31, expected: 32)) {
            try FollowerSession(configuration: followerConfiguration(), position: .empty, nonce: [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: ReplicationProtocolError.invalidTextLength(field: "node", length: 0, maximum: 1024)) {
            try FollowerSession.Configuration(node: "", authenticator: authenticator(), idleTimeout: 1)
        }
        #expect(throws: ReplicationProtocolError.invalidTextLength(field: "node", length: 1025, maximum: 1024)) {
            try FollowerSession.Configuration(node: String(repeating: "n", count: 1025), authenticator: authenticator(), idleTimeout: 1)
        }
    }

    // MARK: Frames

    @Test func framesAreCheckedThenAppended() {
        var chain = FrameChain()
        let prefix = chain.frame(count: 4)
        _ = prefix
        var session = streaming(chain)
        let first = chain.frame(count: 2), secondFrame = chain.frame(count: 3, compress: true)
        #expect(session.received(.frames(bytes: first + secondFrame), now: 3) == [.appendFrames(first + secondFrame, firstLSN: 5, lastLSN: 9)])
        #expect(session.appendedLSN == 9)
        #expect(session.lastCRC == chain.lastCRC)
        let third = chain.frame(count: 1)
        #expect(session.received(.frames(bytes: third), now: 4) == [.appendFrames(third, firstLSN: 10, lastLSN: 10)])
    }

    @Test func framesThatSkipLSNsAreRefused() {
        var chain = FrameChain()
        _ = chain.frame(count: 3)
        var session = streaming(chain)
        var ahead = FrameChain(from: chain.nextLSN + 1, crc: chain.lastCRC)
        let actions = session.received(.frames(bytes: ahead.frame(count: 1)), now: 3)
        #expect(actions == [.refuse(.protocolViolation, "frames start at LSN 5, expected 4")])
    }

    @Test func framesThatDoNotChainAreRefused() {
        var chain = FrameChain()
        _ = chain.frame(count: 3)
        var session = streaming(chain)
        var other = FrameChain(from: chain.nextLSN, crc: chain.lastCRC ^ 1)
        #expect(refusal(session.received(.frames(bytes: other.frame(count: 1)), now: 3)) == .protocolViolation)
    }

    @Test func damagedFramesAreRefusedAndNothingIsAppended() {
        var chain = FrameChain()
        var session = streaming(chain)
        let good = chain.frame(count: 2)
        var bad = chain.frame(count: 2)
        bad[bad.count - 9] ^= 0xFF  // a payload byte of the second frame
        let actions = session.received(.frames(bytes: good + bad), now: 3)
        #expect(actions.count == 1)
        #expect(refusal(actions) == .protocolViolation)
        #expect(session.appendedLSN == 0)
    }

    @Test func aFramesMessageWithoutFramesIsRefused() {
        // The decoder never yields one; a caller building messages itself might.
        var session = streaming(FrameChain())
        #expect(session.received(.frames(bytes: []), now: 3) == [.refuse(.protocolViolation, "frames message without frames")])
    }

    @Test func framesBrokenInsideOneMessageAreRefused() {
        var chain = FrameChain()
        var session = streaming(chain)
        let one = chain.frame(count: 1)
        var detached = FrameChain(from: 2, crc: 4242)
        #expect(refusal(session.received(.frames(bytes: one + detached.frame(count: 1)), now: 3)) == .protocolViolation)
    }

    // MARK: Acknowledgements

    @Test func acknowledgementsAreSentWhenDurableOrAppliedAdvances() {
        var chain = FrameChain()
        var session = streaming(chain)
        _ = session.received(.frames(bytes: chain.frame(count: 3) + chain.frame(count: 2)), now: 3)
        #expect(session.framesDurable(through: 3) == [.send(.ack(durableLSN: 3, appliedLSN: 0))])
        #expect(session.framesDurable(through: 3) == [])  // coalesced: nothing new
        #expect(session.framesDurable(through: 2) == [])  // never back
        #expect(session.applied(through: 3) == [.send(.ack(durableLSN: 3, appliedLSN: 3))])
        #expect(session.applied(through: 3) == [])
        #expect(session.framesDurable(through: 5) == [.send(.ack(durableLSN: 5, appliedLSN: 3))])
        #expect(session.applied(through: 5) == [.send(.ack(durableLSN: 5, appliedLSN: 5))])
    }

    @Test func durableIsNeverAcknowledgedPastWhatWasAppended() {
        var chain = FrameChain()
        var session = streaming(chain)
        _ = session.received(.frames(bytes: chain.frame(count: 3)), now: 3)
        #expect(session.framesDurable(through: 1000) == [.send(.ack(durableLSN: 3, appliedLSN: 0))])
        #expect(session.durableLSN == 3)
    }

    @Test func noAcknowledgementsBeforeStreaming() {
        var session = authenticated(LogPosition(durableLSN: 4, lastCRC: 1, terms: TermHistory()))
        #expect(session.framesDurable(through: 4) == [])
        #expect(session.applied(through: 4) == [])
        #expect(session.appliedLSN == 4)
    }

    @Test func heartbeatsAreAnsweredAndTracked() {
        var chain = FrameChain()
        _ = chain.frame(count: 10)
        var session = streaming(chain)
        #expect(session.received(.heartbeat(leaderDurableLSN: 30, leaderTimeMillis: 1234), now: 100) == [.send(.ack(durableLSN: 10, appliedLSN: 10))])
        #expect(session.leaderDurableLSN == 30)
        #expect(session.leaderTimeMillis == 1234)
        #expect(session.lag(now: 150) == ReplicationLag(records: 20, nanoseconds: 50))
        // A later heartbeat does not restart the oldest wait.
        _ = session.received(.heartbeat(leaderDurableLSN: 40, leaderTimeMillis: 1300), now: 200)
        #expect(session.lag(now: 250) == ReplicationLag(records: 30, nanoseconds: 150))
        _ = session.received(.frames(bytes: chain.frame(count: 30)), now: 260)
        _ = session.framesDurable(through: 40)
        // Applying LSN 30 ends the first wait; the one for LSN 40 began at 200.
        _ = session.applied(through: 30)
        #expect(session.lag(now: 300) == ReplicationLag(records: 10, nanoseconds: 100))
        _ = session.applied(through: 40)
        #expect(session.lag(now: 300) == ReplicationLag(records: 0, nanoseconds: 0))
    }

    @Test func heartbeatGoingBackIsRefused() {
        var session = streaming(FrameChain())
        _ = session.received(.heartbeat(leaderDurableLSN: 30, leaderTimeMillis: 1), now: 100)
        #expect(refusal(session.received(.heartbeat(leaderDurableLSN: 29, leaderTimeMillis: 2), now: 101)) == .protocolViolation)
    }

    @Test func lagMarkersAreBoundedAndReadHigh() {
        var session = streaming(FrameChain())
        for i in 1...(FollowerSession.maximumLagMarkers + 50) {
            _ = session.received(.heartbeat(leaderDurableLSN: UInt64(i), leaderTimeMillis: 0), now: UInt64(i))
        }
        var chain = FrameChain()
        let last = UInt64(FollowerSession.maximumLagMarkers + 50)
        _ = session.received(.frames(bytes: chain.frame(count: Int(last))), now: 400)
        _ = session.framesDurable(through: last)
        // Applying up to the last kept marker's original LSN leaves the absorbing marker, whose
        // wait began earlier than the heartbeats it absorbed: the lag reads high, never low.
        _ = session.applied(through: UInt64(FollowerSession.maximumLagMarkers - 1))
        let lag = session.lag(now: 1000)
        #expect(lag.nanoseconds == 1000 - UInt64(FollowerSession.maximumLagMarkers))
        _ = session.applied(through: last)
        #expect(session.lag(now: 1000) == ReplicationLag(records: 0, nanoseconds: 0))
    }

    // MARK: Truncation

    @Test func truncateThenStream() {
        var chain = FrameChain()
        _ = chain.frame(count: 5)
        let commonCRC = chain.lastCRC
        var tail = chain
        _ = tail.frame(count: 4)  // the follower's own tail, LSNs 6...9
        var session = authenticated(LogPosition(durableLSN: 9, lastCRC: tail.lastCRC, terms: TermHistory()), applied: 9, currentTerm: 2)
        #expect(session.received(startMessage(mode: .truncateThenStream, commonLSN: 5, commonCRC: commonCRC), now: 2)
            == [.truncateLog(to: 5, expectingCRC: commonCRC)])
        #expect(session.durableLSN == 5)
        #expect(session.appliedLSN == 5)
        // The leader's frames after the common point are taken.
        let leaders = chain.frame(count: 2)
        #expect(session.received(.frames(bytes: leaders), now: 3) == [.appendFrames(leaders, firstLSN: 6, lastLSN: 7)])
    }

    @Test func truncationMustCutSomething() {
        var session = authenticated(LogPosition(durableLSN: 9, lastCRC: 1, terms: TermHistory()))
        #expect(refusal(session.received(startMessage(mode: .truncateThenStream, commonLSN: 9, commonCRC: 1), now: 2)) == .protocolViolation)
    }

    @Test func aFailedTruncationRefusesTheLeader() {
        var session = authenticated(LogPosition(durableLSN: 9, lastCRC: 1, terms: TermHistory()))
        _ = session.received(startMessage(mode: .truncateThenStream, commonLSN: 5, commonCRC: 3), now: 2)
        #expect(session.truncationFailed(reason: "no frame ends at LSN 5")
            == [.refuse(.unrelatedLog, "cannot cut the log back as the leader asked: no frame ends at LSN 5")])
        #expect(session.phase == .closed)
        var notStreaming = authenticated()
        #expect(notStreaming.truncationFailed(reason: "x") == [])
    }

    // MARK: Snapshot

    func receivingSnapshot() -> FollowerSession {
        var session = authenticated(LogPosition(durableLSN: 3, lastCRC: 8, terms: TermHistory()), applied: 3, currentTerm: 2)
        #expect(session.received(startMessage(mode: .snapshotFirst), now: 2) == [])
        #expect(session.phase == .receivingSnapshot)
        return session
    }

    @Test func snapshotThenStreaming() {
        var session = receivingSnapshot()
        // While the snapshot arrives nothing of the leader's log is durable here.
        #expect(session.received(.heartbeat(leaderDurableLSN: 120, leaderTimeMillis: 5), now: 3) == [.send(.ack(durableLSN: 0, appliedLSN: 0))])
        #expect(session.framesDurable(through: 3) == [])
        #expect(session.applied(through: 3) == [])
        #expect(session.received(.snapshotChunk(lsn: 100, totalBytes: 10, offset: 0, bytes: [1, 2, 3, 4]), now: 4)
            == [.storeSnapshotChunk(lsn: 100, offset: 0, bytes: [1, 2, 3, 4], totalBytes: 10)])
        #expect(session.received(.snapshotChunk(lsn: 100, totalBytes: 10, offset: 4, bytes: [5, 6, 7, 8, 9, 10]), now: 5)
            == [.storeSnapshotChunk(lsn: 100, offset: 4, bytes: [5, 6, 7, 8, 9, 10], totalBytes: 10)])
        let terms = history((0, 1), (2, 50))
        #expect(session.received(.snapshotDone(lsn: 100, chainCRC: 0xC0FFEE, nextFrameLSN: 97, terms: terms), now: 6)
            == [.installSnapshot(.init(lsn: 100, totalBytes: 10, chainCRC: 0xC0FFEE, nextFrameLSN: 97, terms: terms))])
        #expect(session.phase == .streaming)
        #expect(session.appendedLSN == 96)
        // Installed: the caller reports the new log's end and the snapshot's LSN.
        #expect(session.framesDurable(through: 96) == [.send(.ack(durableLSN: 96, appliedLSN: 0))])
        #expect(session.applied(through: 100) == [.send(.ack(durableLSN: 96, appliedLSN: 100))])
        var chain = FrameChain(from: 97, crc: 0xC0FFEE)
        let frame = chain.frame(count: 6)
        #expect(session.received(.frames(bytes: frame), now: 7) == [.appendFrames(frame, firstLSN: 97, lastLSN: 102)])
    }

    @Test func snapshotChunksMustArriveInOrder() {
        func refused(_ messages: [ReplicationMessage]) -> RefusalCode? {
            var session = receivingSnapshot()
            var last: [FollowerSession.Action] = []
            for message in messages { last = session.received(message, now: 5) }
            return refusal(last)
        }
        let first = ReplicationMessage.snapshotChunk(lsn: 100, totalBytes: 10, offset: 0, bytes: [1, 2, 3, 4])
        #expect(refused([.snapshotChunk(lsn: 100, totalBytes: 10, offset: 4, bytes: [1])]) == .protocolViolation)
        #expect(refused([first, .snapshotChunk(lsn: 100, totalBytes: 10, offset: 5, bytes: [1])]) == .protocolViolation)
        #expect(refused([first, .snapshotChunk(lsn: 101, totalBytes: 10, offset: 4, bytes: [1])]) == .protocolViolation)
        #expect(refused([first, .snapshotChunk(lsn: 100, totalBytes: 11, offset: 4, bytes: [1])]) == .protocolViolation)
        #expect(refused([first, first]) == .protocolViolation)
        let done = ReplicationMessage.snapshotDone(lsn: 100, chainCRC: 0, nextFrameLSN: 101, terms: TermHistory())
        #expect(refused([done]) == .protocolViolation)  // no chunk at all
        #expect(refused([first, done]) == .protocolViolation)  // 4 of 10 bytes
        let all = ReplicationMessage.snapshotChunk(lsn: 100, totalBytes: 10, offset: 4, bytes: [5, 6, 7, 8, 9, 10])
        #expect(refused([first, all, .snapshotDone(lsn: 99, chainCRC: 0, nextFrameLSN: 100, terms: TermHistory())]) == .protocolViolation)
        #expect(refused([first, all, .snapshotDone(lsn: 100, chainCRC: 0, nextFrameLSN: 101, terms: history((0, 1), (9, 50)))]) == .protocolViolation)
        #expect(refused([first, all, done]) == nil)
        var chain = FrameChain()
        #expect(refused([first, .frames(bytes: chain.frame(count: 1))]) == .protocolViolation)
    }

    // MARK: Time

    @Test func silenceFromTheLeaderTimesOut() {
        for phase in [FollowerSession.Phase.helloSent, .proofSent, .streaming, .receivingSnapshot] {
            var session = follower()
            _ = session.connected(now: 1)
            if phase != .helloSent { _ = session.received(genuineChallenge(), now: 1) }
            if phase == .streaming { _ = session.received(startMessage(), now: 1) }
            if phase == .receivingSnapshot { _ = session.received(startMessage(mode: .snapshotFirst), now: 1) }
            #expect(session.phase == phase)
            #expect(session.tick(now: 1 + 10 * second - 1) == [])
            #expect(session.tick(now: 1 + 10 * second) == [.close(.timedOut)], "\(phase)")
            #expect(session.phase == .closed)
        }
        var idle = follower()
        #expect(idle.tick(now: 100 * second) == [])  // not connected yet: no timer
    }

    @Test func anyMessageResetsTheIdleTimer() {
        var session = streaming(FrameChain())
        _ = session.received(.heartbeat(leaderDurableLSN: 0, leaderTimeMillis: 0), now: 9 * second)
        #expect(session.tick(now: 18 * second) == [])
        #expect(session.tick(now: 19 * second) == [.close(.timedOut)])
    }

    @Test func closedSessionsIgnoreEverything() {
        var session = streaming(FrameChain())
        #expect(session.closed() == [])
        #expect(session.phase == .closed)
        #expect(session.received(.heartbeat(leaderDurableLSN: 1, leaderTimeMillis: 1), now: 5) == [])
        #expect(session.framesDurable(through: 1) == [])
        #expect(session.applied(through: 1) == [])
        #expect(session.tick(now: 100 * second) == [])
        #expect(session.connected(now: 5) == [])
    }

    @Test func refusalTextsFitTheWire() {
        #expect(RefusalText.clipped("") == "-")
        #expect(RefusalText.clipped("short") == "short")
        let long = String(repeating: "é", count: 600)  // 1200 bytes
        let clipped = RefusalText.clipped(long)
        #expect(clipped.utf8.count == 1024)
        #expect(clipped.allSatisfy { $0 == "é" })
        #expect(RefusalText.clipped("ab", maximum: 1) == "a")
        #expect(RefusalText.clipped("é", maximum: 1) == "-")
    }
}
