import Testing
@testable import Replication

/// Both session state machines talking through the real codec, with in-memory logs: the
/// handshake, catch-up, divergence and snapshot paths end to end, and faults on the way.
@Suite struct ReplicationLinkTests {
    func rule(k: Int = 1, strict: Bool = false, synced: UInt64) -> AcknowledgementRule {
        AcknowledgementRule(configuration: try! .init(syncReplicas: k, strict: strict, syncTimeout: 2 * second), leaderSyncedLSN: synced, now: 0)
    }

    /// A leader of term 1 whose log has a term record and `batches` frames of 3 records.
    func leaderLog(batches: Int, tag: String = "") -> MemoryLog {
        var log = MemoryLog()
        log.startTerm(1, node: "leader-1")
        for _ in 0..<batches { log.write(count: 3, tag: tag) }
        return log
    }

    @Test func aFreshFollowerCatchesUpThenFollowsLive() {
        let log = leaderLog(batches: 4)
        var link = ReplicationLink(leaderLog: log, followerLog: MemoryLog(), leaderTerm: 1, rule: rule(synced: log.endLSN))
        link.connect()
        #expect(link.follower.phase == .streaming)
        #expect(link.leader.phase == .streaming)
        #expect(link.adoptedTerms == [1])
        #expect(link.follower.leader?.node == "leader-1")
        // The follower's log is the leader's, byte for byte, with the same terms.
        #expect(link.followerLog.frames == link.leaderLog.frames)
        #expect(link.followerLog.terms == history((1, 1)))
        #expect(link.leader.acknowledgedDurableLSN == 13)

        // Live: a write is shipped, acknowledged and confirmed.
        link.leaderWrites(count: 2)
        #expect(link.followerLog.endLSN == 15)
        #expect(link.confirmations == [15])
        #expect(link.rule?.synchronousFollowers(now: link.now) == ["follower-1"])

        // Heartbeats keep an idle connection open and the lag at zero.
        for _ in 0..<20 { link.advance(by: second) }
        #expect(link.isOpen)
        #expect(link.follower.leaderDurableLSN == 15)
        #expect(link.follower.lag(now: link.now) == ReplicationLag(records: 0, nanoseconds: 0))
        #expect(link.rule?.isLive("follower-1", now: link.now) == true)
    }

    @Test func aSilentLinkTimesOut() {
        let log = leaderLog(batches: 1)
        var link = ReplicationLink(leaderLog: log, followerLog: MemoryLog(), leaderTerm: 1, rule: rule(synced: log.endLSN))
        link.connect()
        link.advance(by: 11 * second)  // no heartbeat went out in between
        #expect(!link.isOpen)
        #expect(link.rule?.connectedFollowers.isEmpty == true)
    }

    @Test func aFollowerBehindResumesWhereItsLogEnds() {
        let log = leaderLog(batches: 6)
        var follower = MemoryLog()
        for frame in log.frames.prefix(3) { try! follower.append(frame) }
        var link = ReplicationLink(leaderLog: log, followerLog: follower, leaderTerm: 1, followerCurrentTerm: 1)
        link.connect()
        #expect(link.leader.decision == .stream(from: 8))
        #expect(link.followerLog.frames == log.frames)
        #expect(link.adoptedTerms.isEmpty)
    }

    /// The failover in miniature: A leads term 1 with B in sync (k = 1); B's link is cut
    /// mid-frame; A writes on alone (nothing more can be confirmed); B is promoted to term 2 and
    /// writes; A rejoins as B's follower. A's unconfirmed tail is cut (kept aside), both logs are
    /// the same, and every write A confirmed is in B's log.
    @Test func aFormerLeaderIsCutBackAndNothingConfirmedIsLost() {
        let a = leaderLog(batches: 0)
        var ab = ReplicationLink(leaderLog: a, followerLog: MemoryLog(), leaderTerm: 1, rule: rule(synced: a.endLSN))
        ab.connect()
        for _ in 0..<5 { ab.leaderWrites(count: 3) }
        #expect(ab.confirmations.last == 16)
        ab.cutNextFramesAfter = 30
        ab.leaderWrites(count: 2)  // reaches B only in part: the connection is cut mid-frame
        #expect(!ab.isOpen)
        #expect(ab.followerLog.endLSN == 16)

        // A goes on alone for a while; its rule confirms nothing more.
        var aLog = ab.leaderLog
        var aRule = ab.rule!
        for _ in 0..<3 {
            let lsn = aLog.write(count: 4)
            #expect(aRule.writeWaiting(through: lsn, since: 0).isEmpty)
            #expect(aRule.leaderSynced(through: lsn, now: 0).isEmpty)
        }
        let confirmedByA = aRule.confirmedLSN
        #expect(confirmedByA == 16)

        // A dies; B is promoted and writes in term 2.
        var bLog = ab.followerLog
        bLog.startTerm(2, node: "follower-1")
        bLog.write(count: 5)
        #expect(bLog.terms == history((1, 1), (2, 17)))

        // A comes back as B's follower.
        var ba = ReplicationLink(leaderLog: bLog, followerLog: aLog, leaderTerm: 2, followerCurrentTerm: 1)
        ba.connect()
        #expect(ba.leader.decision == .truncate(to: 16))
        #expect(ba.cutFrames == Array(aLog.frames.suffix(4)))  // A's 2 + 3x4 records after LSN 16
        #expect(ba.followerLog.frames == bLog.frames)
        #expect(ba.followerLog.terms == bLog.terms)
        #expect(ba.adoptedTerms == [2])
        #expect(Array(ba.followerLog.frames.prefix(6)) == Array(ab.leaderLog.frames.prefix(6)))
    }

    /// Random runs of the same story: whatever the cut point, the writes and the ticks, every LSN
    /// the old leader confirmed survives on the promoted follower (strict mode: no degraded
    /// confirmations, which by design are the ones a failover can lose).
    @Test func confirmedWritesSurviveFailoverWhateverTheCutPoint() {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<60 {
            let a = leaderLog(batches: 0)
            var ab = ReplicationLink(
                leaderLog: a, followerLog: MemoryLog(), leaderTerm: 1, rule: rule(strict: true, synced: a.endLSN))
            ab.connect()
            let cutAt = Int.random(in: 0..<8, using: &rng)
            for i in 0..<10 {
                if i == cutAt { ab.cutNextFramesAfter = Int.random(in: 0..<60, using: &rng) }
                ab.leaderWrites(count: Int.random(in: 1...4, using: &rng))
                if Bool.random(using: &rng) { ab.advance(by: UInt64.random(in: 0...(3 * second), using: &rng)) }
            }
            let confirmed = ab.rule!.confirmedLSN
            var bLog = ab.followerLog
            bLog.startTerm(2, node: "follower-1")
            bLog.write(count: 2)
            var ba = ReplicationLink(leaderLog: bLog, followerLog: ab.leaderLog, leaderTerm: 2)
            ba.connect()
            #expect(ba.followerLog.frames == bLog.frames)
            #expect(confirmed <= ab.followerLog.endLSN)
            // Nothing cut was confirmed.
            let cutFirst = ba.cutFrames.first.map { try! FrameHeaderView(bytes: $0, at: 0).firstLSN }
            #expect(cutFirst.map { $0 > confirmed } ?? true)
        }
    }

    @Test func twoUnrelatedLogsAreRefused() {
        // Neither has a term record; the chain CRC tells them apart.
        var leader = MemoryLog(), shorter = MemoryLog(), longer = MemoryLog()
        for _ in 0..<4 { leader.write(count: 3, tag: "L") }
        for _ in 0..<2 { shorter.write(count: 3, tag: "F") }
        for _ in 0..<6 { longer.write(count: 3, tag: "F") }
        for follower in [shorter, longer] {
            var link = ReplicationLink(leaderLog: leader, followerLog: follower, leaderTerm: 0)
            link.connect()
            #expect(!link.isOpen)
            #expect(link.followerLog.frames == follower.frames)  // untouched
            #expect(link.cutFrames.isEmpty)
            // The leader sees the CRC differ at the follower's end; a longer follower checks the
            // CRC at the common point before it cuts anything.
            #expect(link.refusedByLeader == (follower.endLSN < leader.endLSN ? .unrelatedLog : nil))
            #expect(link.refusedByFollower == (follower.endLSN < leader.endLSN ? nil : .unrelatedLog))
        }
    }

    @Test func aFollowerBehindRetentionCatchesUpBySnapshot() {
        var log = leaderLog(batches: 8)  // LSN 1 term record, then 2...4, 5...7, …, 23...25
        let snapshot = (bytes: (0..<100).map { UInt8($0) }, lsn: UInt64(21))
        log.prune(before: 20)
        #expect(log.baseLSN == 20)
        var link = ReplicationLink(
            leaderLog: log, followerLog: MemoryLog(), leaderTerm: 1, rule: rule(synced: log.endLSN), snapshot: snapshot)
        link.connect()
        #expect(link.leader.decision == .snapshot)
        #expect(link.receivedSnapshot == snapshot.bytes)
        #expect(link.installed == FollowerSession.SnapshotInstallation(
            lsn: 21, totalBytes: 100, chainCRC: log.headers[0].prevCRC, nextFrameLSN: 20, terms: history((1, 1))))
        #expect(link.followerLog.frames == log.frames)
        #expect(link.followerLog.terms == log.terms)
        #expect(link.follower.appliedLSN == 25)
        link.leaderWrites(count: 1)
        #expect(link.followerLog.endLSN == 26)
        #expect(link.confirmations.last == 26)
    }

    @Test func aFollowerThatInstalledASnapshotResumesFromItsNewLogsBase() {
        var log = leaderLog(batches: 8)
        log.prune(before: 20)
        // The follower installed a snapshot and restarted before any frame arrived: its log is
        // empty and starts at LSN 20, chaining from the pruned frame's CRC.
        let follower = MemoryLog(baseLSN: 20, baseCRC: log.baseCRC, terms: history((1, 1)))
        var link = ReplicationLink(leaderLog: log, followerLog: follower, leaderTerm: 1, followerCurrentTerm: 1)
        link.connect()
        #expect(link.leader.decision == .stream(from: 20))
        #expect(link.followerLog.frames == log.frames)
    }

    @Test func aWrongSecretMovesNothing() {
        let log = leaderLog(batches: 2)
        var link = ReplicationLink(leaderLog: log, followerLog: MemoryLog(), leaderTerm: 1, followerSecret: otherSecret,
                                   rule: rule(synced: log.endLSN))
        link.connect()
        #expect(link.refusedByFollower == .badSecret)  // the leader proves itself first: the follower checks
        #expect(!link.isOpen)
        #expect(link.followerLog.endLSN == 0)
        #expect(link.rule?.connectedFollowers.isEmpty == true)
    }

    @Test func damageInTransitIsRefusedAndTheNextConnectionRecovers() {
        let log = leaderLog(batches: 4)
        var link = ReplicationLink(leaderLog: log, followerLog: MemoryLog(), leaderTerm: 1, rule: rule(synced: log.endLSN))
        link.corruptNextFrames = true
        link.connect()
        #expect(link.refusedByFollower == .protocolViolation)
        #expect(link.followerLog.endLSN == 0)
        #expect(link.rule?.connectedFollowers.isEmpty == true)  // joined, then left
        var again = ReplicationLink(leaderLog: log, followerLog: link.followerLog, leaderTerm: 1)
        again.connect()
        #expect(again.followerLog.frames == log.frames)
    }

    @Test func aConnectionCutMidMessageResumesFromTheFollowersEnd() {
        let log = leaderLog(batches: 5)
        var link = ReplicationLink(leaderLog: log, followerLog: MemoryLog(), leaderTerm: 1)
        link.cutNextFramesAfter = 70  // the first frames message carries the term record frame and one more
        link.connect()
        #expect(!link.isOpen)
        #expect(link.followerLog.endLSN == 0)  // a partial message is never acted on
        var again = ReplicationLink(leaderLog: log, followerLog: link.followerLog, leaderTerm: 1, followerCurrentTerm: 1)
        again.connect()
        #expect(again.followerLog.frames == log.frames)
    }

    @Test func aDeposedLeaderIsRefused() {
        // The follower has already followed term 3 (persisted), though its log has no term-3 record yet.
        var follower = MemoryLog()
        let log = leaderLog(batches: 2)
        for frame in log.frames { try! follower.append(frame) }
        var link = ReplicationLink(leaderLog: log, followerLog: follower, leaderTerm: 1, followerCurrentTerm: 3)
        link.connect()
        #expect(link.refusedByFollower == .staleTerm)
    }

    @Test func aFollowerAheadInTermIsRefused() {
        let log = leaderLog(batches: 2)
        var follower = MemoryLog()
        for frame in log.frames { try! follower.append(frame) }
        follower.startTerm(3, node: "elsewhere")
        var link = ReplicationLink(leaderLog: log, followerLog: follower, leaderTerm: 1)
        link.connect()
        #expect(link.refusedByLeader == .followerAhead)
        #expect(link.followerLog.frames == follower.frames)
    }
}
