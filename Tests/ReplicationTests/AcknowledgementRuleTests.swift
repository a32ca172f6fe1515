import Testing
@testable import Replication

@Suite struct AcknowledgementRuleTests {
    static let timeout = 2 * second

    func rule(k: Int, strict: Bool = false, synced: UInt64 = 0) -> AcknowledgementRule {
        AcknowledgementRule(
            configuration: try! .init(syncReplicas: k, strict: strict, syncTimeout: Self.timeout), leaderSyncedLSN: synced, now: 0)
    }

    // MARK: k = 0

    @Test func asynchronousConfirmsOnTheLeadersDurability() {
        var r = rule(k: 0)
        #expect(r.mode == .asynchronous)
        #expect(r.writeWaiting(through: 10, since: 0) == [])
        #expect(r.leaderSynced(through: 10, now: 1) == [.confirm(upTo: 10)])
        #expect(r.followerConnected("a", durableLSN: 0, now: 1) == [])
        #expect(r.writeWaiting(through: 9, since: 2) == [.confirm(upTo: 10)])  // already confirmed
        #expect(r.tick(now: 100 * second) == [])
        #expect(r.mode == .asynchronous)
        #expect(r.synchronousFollowers(now: 1) == [])
        #expect(r.mode.acceptsWrites)
    }

    // MARK: k = 1

    @Test func oneFollowerMustAcknowledge() {
        var r = rule(k: 1)
        #expect(r.mode == .synchronous)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        #expect(r.writeWaiting(through: 10, since: 0) == [])
        #expect(r.leaderSynced(through: 10, now: 1) == [])  // on the leader only
        #expect(r.followerAcknowledged("a", durableLSN: 6, now: 2) == [.confirm(upTo: 6)])
        #expect(r.followerAcknowledged("a", durableLSN: 10, now: 3) == [.confirm(upTo: 10)])
        #expect(r.confirmedLSN == 10)
        #expect(r.waitingCount == 0)
    }

    @Test func theLeaderMustHaveItToo() {
        var r = rule(k: 1)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        // Frames are shipped while the leader syncs: the follower can be first.
        #expect(r.followerAcknowledged("a", durableLSN: 10, now: 1) == [])
        #expect(r.leaderSynced(through: 8, now: 2) == [.confirm(upTo: 8)])
        #expect(r.leaderSynced(through: 10, now: 2) == [.confirm(upTo: 10)])
    }

    @Test func oneSlowFollowerDoesNotHoldBackTheOther() {
        var r = rule(k: 1)
        _ = r.followerConnected("fast", durableLSN: 0, now: 0)
        _ = r.followerConnected("slow", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        #expect(r.followerAcknowledged("fast", durableLSN: 10, now: 1) == [.confirm(upTo: 10)])
        #expect(r.followerAcknowledged("slow", durableLSN: 2, now: 1) == [])
        #expect(r.synchronousFollowers(now: 1) == ["fast"])
    }

    // MARK: k = 2

    @Test func twoOfThreeFollowersMustAcknowledge() {
        var r = rule(k: 2)
        for name in ["a", "b", "c"] { _ = r.followerConnected(name, durableLSN: 0, now: 0) }
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        #expect(r.followerAcknowledged("a", durableLSN: 10, now: 1) == [])
        #expect(r.followerAcknowledged("c", durableLSN: 3, now: 1) == [.confirm(upTo: 3)])
        #expect(r.followerAcknowledged("b", durableLSN: 7, now: 1) == [.confirm(upTo: 7)])
        // The slowest follower (c) holds nothing back beyond the second highest.
        #expect(r.followerAcknowledged("b", durableLSN: 10, now: 1) == [.confirm(upTo: 10)])
        #expect(r.synchronousFollowers(now: 1) == ["a", "b"])
    }

    @Test func twoFollowersRequiredOneConnectedWaitsThenDegrades() {
        var r = rule(k: 2)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        #expect(r.followerAcknowledged("a", durableLSN: 10, now: 1) == [])  // one copy is not enough
        #expect(r.tick(now: Self.timeout - 1) == [])
        #expect(r.tick(now: Self.timeout) == [.enteredDegraded, .confirm(upTo: 10)])
        #expect(r.mode == .degraded(since: Self.timeout))
        #expect(r.mode.acceptsWrites)
        // Degraded: writes are confirmed on the leader's durability alone, at once.
        _ = r.writeWaiting(through: 20, since: Self.timeout + 1)
        #expect(r.leaderSynced(through: 20, now: Self.timeout + 2) == [.confirm(upTo: 20)])
        // A second follower connects; both catch up: synchronous again.
        #expect(r.followerConnected("b", durableLSN: 15, now: Self.timeout + 3) == [])
        #expect(r.followerAcknowledged("a", durableLSN: 20, now: Self.timeout + 4) == [])
        #expect(r.followerAcknowledged("b", durableLSN: 20, now: Self.timeout + 5) == [.leftDegraded])
        #expect(r.mode == .synchronous)
        // And writes wait for both again.
        _ = r.writeWaiting(through: 30, since: Self.timeout + 6)
        #expect(r.leaderSynced(through: 30, now: Self.timeout + 6) == [])
        #expect(r.followerAcknowledged("a", durableLSN: 30, now: Self.timeout + 7) == [])
        #expect(r.followerAcknowledged("b", durableLSN: 30, now: Self.timeout + 8) == [.confirm(upTo: 30)])
    }

    // MARK: Degraded (non-strict)

    @Test func noFollowerAtAllDegradesAfterTheTimeout() {
        var r = rule(k: 1)
        _ = r.writeWaiting(through: 5, since: 0)
        _ = r.leaderSynced(through: 5, now: 0)
        #expect(r.tick(now: Self.timeout / 2) == [])
        #expect(r.tick(now: Self.timeout) == [.enteredDegraded, .confirm(upTo: 5)])
        #expect(r.synchronousFollowers(now: Self.timeout) == [])
    }

    @Test func noWritesWaitingNoDegradation() {
        var r = rule(k: 1)
        _ = r.leaderSynced(through: 5, now: 0)
        #expect(r.tick(now: 100 * second) == [])
        #expect(r.mode == .synchronous)
    }

    @Test func theWaitCountsFromTheLeadersDurability() {
        var r = rule(k: 1)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        // The leader's own fsync took 3 s: that is not the followers' fault.
        #expect(r.tick(now: 3 * second) == [])
        #expect(r.leaderSynced(through: 10, now: 3 * second) == [])
        #expect(r.followerAcknowledged("a", durableLSN: 10, now: 3 * second + 5) == [.confirm(upTo: 10)])
        #expect(r.mode == .synchronous)
    }

    @Test func aWriteSyncedLaterWaitsItsOwnTimeout() {
        var r = rule(k: 1)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: second / 2)
        #expect(r.tick(now: Self.timeout) == [])
        #expect(r.tick(now: Self.timeout + second / 2) == [.enteredDegraded, .confirm(upTo: 10)])
    }

    @Test func writesDurableOnTheLeaderWhenTheyStartWaitingCountFromThen() {
        var r = rule(k: 1)
        _ = r.leaderSynced(through: 10, now: 0)
        _ = r.writeWaiting(through: 10, since: second)
        #expect(r.tick(now: second + Self.timeout - 1) == [])
        #expect(r.tick(now: second + Self.timeout) == [.enteredDegraded, .confirm(upTo: 10)])
    }

    @Test func leavingDegradedNeedsACaughtUpFollowerAtTheMomentOfChecking() {
        var r = rule(k: 1)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        _ = r.tick(now: Self.timeout)
        _ = r.leaderSynced(through: 12, now: Self.timeout + 1)
        #expect(r.followerAcknowledged("a", durableLSN: 11, now: Self.timeout + 2) == [])
        #expect(r.mode == .degraded(since: Self.timeout))
        #expect(r.followerAcknowledged("a", durableLSN: 12, now: Self.timeout + 3) == [.leftDegraded])
    }

    @Test func aCaughtUpButSilentFollowerDoesNotEndDegradedMode() {
        var r = rule(k: 2)
        // "a" ran ahead of the leader's sync (frames ship while the leader syncs), then went quiet.
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.followerAcknowledged("a", durableLSN: 20, now: 0)
        _ = r.writeWaiting(through: 15, since: 0)
        _ = r.leaderSynced(through: 15, now: 0)
        #expect(r.tick(now: Self.timeout) == [.enteredDegraded, .confirm(upTo: 15)])
        // "b" catches up later, when "a" is no longer live: still fewer than two.
        _ = r.followerConnected("b", durableLSN: 0, now: Self.timeout + 1)
        #expect(r.followerAcknowledged("b", durableLSN: 15, now: Self.timeout + 2) == [])
        #expect(!r.isLive("a", now: Self.timeout + 2))
        #expect(r.followerAcknowledged("a", durableLSN: 20, now: Self.timeout + 3) == [.leftDegraded])
    }

    @Test func flappingFollower() {
        var r = rule(k: 1)
        var log: [AcknowledgementRule.Action] = []
        var now: UInt64 = 0
        var lsn: UInt64 = 0
        // Three rounds: the follower is there for a write, then gone for longer than the timeout.
        for _ in 0..<3 {
            log += r.followerConnected("a", durableLSN: lsn, now: now)
            lsn += 1
            log += r.writeWaiting(through: lsn, since: now)
            log += r.leaderSynced(through: lsn, now: now)
            log += r.followerAcknowledged("a", durableLSN: lsn, now: now + 1)
            log += r.followerDisconnected("a", now: now + 2)
            lsn += 1
            log += r.writeWaiting(through: lsn, since: now + 3)
            log += r.leaderSynced(through: lsn, now: now + 3)
            log += r.tick(now: now + 3 + Self.timeout)
            now += 3 + Self.timeout + 1
        }
        #expect(log == [
            .confirm(upTo: 1), .enteredDegraded, .confirm(upTo: 2),
            .leftDegraded, .confirm(upTo: 3), .enteredDegraded, .confirm(upTo: 4),
            .leftDegraded, .confirm(upTo: 5), .enteredDegraded, .confirm(upTo: 6),
        ])
    }

    @Test func confirmationsNeverGoBack() {
        var r = rule(k: 1)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        _ = r.tick(now: Self.timeout)  // degraded, confirmed 10
        // A follower that joins at 4 and climbs to 10 leaves degraded without lowering anything.
        #expect(r.followerConnected("a", durableLSN: 4, now: Self.timeout + 1) == [])
        #expect(r.confirmedLSN == 10)
        #expect(r.followerAcknowledged("a", durableLSN: 10, now: Self.timeout + 2) == [.leftDegraded])
        #expect(r.confirmedLSN == 10)
    }

    @Test func aDisconnectedFollowersAcknowledgementsNoLongerCount() {
        var r = rule(k: 1)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.followerAcknowledged("a", durableLSN: 5, now: 0)
        _ = r.followerDisconnected("a", now: 1)
        _ = r.followerConnected("b", durableLSN: 0, now: 1)
        _ = r.writeWaiting(through: 5, since: 1)
        #expect(r.leaderSynced(through: 5, now: 1) == [])
        #expect(r.followerAcknowledged("b", durableLSN: 5, now: 2) == [.confirm(upTo: 5)])
        #expect(r.followerAcknowledged("a", durableLSN: 9, now: 3) == [])  // unknown: ignored
        #expect(r.connectedFollowers.map(\.name) == ["b"])
    }

    @Test func reconnectingUnderTheSameNameReplacesTheFollower() {
        var r = rule(k: 1)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.followerAcknowledged("a", durableLSN: 9, now: 1)
        _ = r.followerConnected("a", durableLSN: 4, now: 2)
        #expect(r.connectedFollowers == [AcknowledgementRule.Follower(name: "a", acknowledgedLSN: 4, lastAcknowledgedAt: 2)])
    }

    // MARK: Strict

    @Test func strictStartsRefusingUntilAFollowerHasCaughtUp() {
        var r = rule(k: 1, strict: true, synced: 50)
        #expect(r.mode == .refusing(since: 0))
        #expect(!r.mode.acceptsWrites)
        #expect(r.followerConnected("a", durableLSN: 40, now: 1) == [])
        #expect(r.followerAcknowledged("a", durableLSN: 50, now: 2) == [.leftRefusing])
        #expect(r.mode == .synchronous)
    }

    @Test func strictRefusesAtOnceWhenAFollowerLeaves() {
        var r = rule(k: 1, strict: true)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        #expect(r.mode == .synchronous)
        _ = r.writeWaiting(through: 10, since: 1)
        _ = r.leaderSynced(through: 10, now: 1)
        #expect(r.followerDisconnected("a", now: 2) == [.enteredRefusing])
        #expect(r.mode == .refusing(since: 2))
        // The write in flight is failed once it has waited the timeout, never confirmed on one copy.
        #expect(r.tick(now: 1 + Self.timeout - 1) == [])
        #expect(r.tick(now: 1 + Self.timeout) == [.failWaiters(through: 10)])
        #expect(r.confirmedLSN == 0)
        #expect(r.waitingCount == 0)
    }

    @Test func strictStillConfirmsWhatFollowersAcknowledgeWhileRefusing() {
        var r = rule(k: 1, strict: true)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.followerConnected("b", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        _ = r.followerDisconnected("a", now: 1)
        _ = r.followerDisconnected("b", now: 1)
        #expect(r.mode == .refusing(since: 1))
        // "b" is back and its acknowledgement covers the waiting write before the timeout.
        _ = r.followerConnected("b", durableLSN: 0, now: second)
        #expect(r.followerAcknowledged("b", durableLSN: 10, now: second + 1) == [.leftRefusing, .confirm(upTo: 10)])
    }

    @Test func strictFailsOnlyTheWritesThatTimedOut() {
        var r = rule(k: 1, strict: true)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        _ = r.writeWaiting(through: 20, since: second)
        _ = r.leaderSynced(through: 20, now: second)
        // "a" stays live (it answers heartbeats) but acknowledges nothing new: stuck.
        _ = r.followerAcknowledged("a", durableLSN: 0, now: Self.timeout - 1)
        #expect(r.tick(now: Self.timeout) == [.failWaiters(through: 10), .enteredRefusing])
        #expect(r.waitingCount == 1)
        #expect(r.tick(now: Self.timeout + second) == [.failWaiters(through: 20)])
        #expect(r.followerAcknowledged("a", durableLSN: 20, now: Self.timeout + second + 1) == [.leftRefusing, .confirm(upTo: 20)])
    }

    @Test func strictRefusesWhenTheFollowerFallsSilent() {
        var r = rule(k: 1, strict: true)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        #expect(r.tick(now: Self.timeout - 1) == [])
        #expect(r.tick(now: Self.timeout) == [.enteredRefusing])
        #expect(r.followerAcknowledged("a", durableLSN: 0, now: Self.timeout + 1) == [.leftRefusing])
    }

    @Test func strictWithTwoReplicasNeedsTwoLive() {
        var r = rule(k: 2, strict: true)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        #expect(r.mode == .refusing(since: 0))
        #expect(r.followerConnected("b", durableLSN: 0, now: 1) == [.leftRefusing])
        #expect(r.followerConnected("c", durableLSN: 0, now: 1) == [])
        #expect(r.followerDisconnected("a", now: 2) == [])  // b and c remain
        #expect(r.followerDisconnected("b", now: 3) == [.enteredRefusing])
    }

    // MARK: Reporting and settings

    @Test func synchronousFollowersAreLiveAndHoldEveryConfirmedWrite() {
        var r = rule(k: 2)
        for name in ["c", "a", "b", "d"] { _ = r.followerConnected(name, durableLSN: 0, now: 0) }
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        _ = r.followerAcknowledged("a", durableLSN: 10, now: 1)
        _ = r.followerAcknowledged("b", durableLSN: 8, now: 1)
        _ = r.followerAcknowledged("c", durableLSN: 10, now: 1)
        #expect(r.confirmedLSN == 10)
        // Ties by name; "b" (8) lacks a confirmed write, "d" (0) too.
        #expect(r.synchronousFollowers(now: 1) == ["a", "c"])
        // A silent follower no longer counts, whatever it acknowledged.
        _ = r.followerAcknowledged("c", durableLSN: 10, now: 1)
        _ = r.followerAcknowledged("a", durableLSN: 10, now: Self.timeout)
        _ = r.followerAcknowledged("b", durableLSN: 10, now: Self.timeout)
        #expect(r.synchronousFollowers(now: Self.timeout + 1) == ["a", "b"])
        #expect(r.isLive("a", now: Self.timeout + 1))
        #expect(!r.isLive("c", now: Self.timeout + 1))
        #expect(!r.isLive("nobody", now: 0))
    }

    @Test func waitersCoveredByAnEarlierOneAreMerged() {
        var r = rule(k: 1)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.writeWaiting(through: 7, since: 1)
        _ = r.writeWaiting(through: 10, since: 1)
        #expect(r.waitingCount == 1)
        _ = r.writeWaiting(through: 11, since: 1)
        #expect(r.waitingCount == 2)
    }

    @Test func manyWaitersAreConfirmedInOrder() {
        var r = rule(k: 1)
        _ = r.followerConnected("a", durableLSN: 0, now: 0)
        for lsn in 1...5000 { _ = r.writeWaiting(through: UInt64(lsn), since: UInt64(lsn)) }
        _ = r.leaderSynced(through: 5000, now: 5000)
        var confirmed: [UInt64] = []
        for lsn in stride(from: 100, through: 5000, by: 100) {
            for action in r.followerAcknowledged("a", durableLSN: UInt64(lsn), now: 6000) {
                if case let .confirm(upTo) = action { confirmed.append(upTo) }
            }
            #expect(r.waitingCount == 5000 - lsn)
        }
        #expect(confirmed == Array(stride(from: 100, through: 5000, by: 100)))
        // Waiters added after the queue was compacted still time out correctly.
        _ = r.writeWaiting(through: 5001, since: 7000)
        _ = r.leaderSynced(through: 5001, now: 7000)
        #expect(r.tick(now: 7000 + Self.timeout) == [.enteredDegraded, .confirm(upTo: 5001)])
    }

    @Test func invalidSettingsAreRefused() {
        #expect(throws: ReplicationProtocolError.invalidSetting(name: "SYNC_REPLICAS", reason: "-1 is negative")) {
            try AcknowledgementRule.Configuration(syncReplicas: -1, syncTimeout: 1)
        }
        #expect(throws: ReplicationProtocolError.invalidSetting(name: "SYNC_TIMEOUT", reason: "must be above 0")) {
            try AcknowledgementRule.Configuration(syncReplicas: 1, syncTimeout: 0)
        }
    }
}
