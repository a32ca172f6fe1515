import Testing
@testable import Replication

/// Sync-set mode: only the published members count and every one of them must hold a write;
/// a smaller set (published first by the coordinator) lets writes through, strict refuses.
@Suite struct SyncSetRuleTests {
    static let timeout = 2 * second

    func rule(k: Int, strict: Bool = false) -> AcknowledgementRule {
        AcknowledgementRule(configuration: try! .init(syncReplicas: k, strict: strict, syncTimeout: Self.timeout), now: 0)
    }

    @Test func aFollowerOutsideTheSetDoesNotCount() {
        var r = rule(k: 1)
        _ = r.setSyncSet(["b"], now: 0)
        _ = r.followerConnected("b", durableLSN: 0, now: 0)
        _ = r.followerConnected("c", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        // c may not take over, so its copy is not enough.
        #expect(r.followerAcknowledged("c", durableLSN: 10, now: 1) == [])
        #expect(r.followerAcknowledged("b", durableLSN: 10, now: 1) == [.confirm(upTo: 10)])
        #expect(r.synchronousFollowers(now: 1) == ["b"])
    }

    @Test func everyMemberMustHoldTheWrite() {
        var r = rule(k: 2)
        _ = r.setSyncSet(["b", "c"], now: 0)
        _ = r.followerConnected("b", durableLSN: 0, now: 0)
        _ = r.followerConnected("c", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        #expect(r.followerAcknowledged("b", durableLSN: 10, now: 1) == [])
        #expect(r.followerAcknowledged("c", durableLSN: 7, now: 1) == [.confirm(upTo: 7)])
        #expect(r.followerAcknowledged("c", durableLSN: 10, now: 1) == [.confirm(upTo: 10)])
    }

    @Test func aSilentMemberStallsWritesUntilASmallerSetIsHandedIn() {
        var r = rule(k: 1)
        _ = r.setSyncSet(["b"], now: 0)
        _ = r.followerConnected("b", durableLSN: 0, now: 0)
        _ = r.writeWaiting(through: 10, since: 0)
        _ = r.leaderSynced(through: 10, now: 0)
        _ = r.followerDisconnected("b", now: 1)
        // No timeout degrades by itself: only the coordinator, after publishing, does.
        #expect(r.tick(now: 10 * Self.timeout) == [])
        #expect(r.mode == .synchronous)
        #expect(r.setSyncSet([], now: 10 * Self.timeout) == [.enteredDegraded, .confirm(upTo: 10)])
        #expect(r.mode.acceptsWrites)
        // A caught-up follower added to the set makes it synchronous again.
        _ = r.followerConnected("c", durableLSN: 10, now: 11 * Self.timeout)
        #expect(r.setSyncSet(["c"], now: 11 * Self.timeout) == [.leftDegraded])
        _ = r.writeWaiting(through: 12, since: 11 * Self.timeout)
        #expect(r.leaderSynced(through: 12, now: 11 * Self.timeout) == [])
        #expect(r.followerAcknowledged("c", durableLSN: 12, now: 11 * Self.timeout) == [.confirm(upTo: 12)])
    }

    @Test func strictRefusesWithTooFewMembersAndFailsOldWaiters() {
        var r = rule(k: 1, strict: true)
        #expect(r.setSyncSet([], now: 0) == [])
        #expect(!r.mode.acceptsWrites)
        _ = r.writeWaiting(through: 5, since: 0)
        _ = r.leaderSynced(through: 5, now: 0)
        #expect(r.tick(now: Self.timeout) == [.failWaiters(through: 5)])
        _ = r.followerConnected("b", durableLSN: 5, now: Self.timeout)
        // The failed writes are in the log and b holds them: the gate moves on (their clients got 503).
        #expect(r.setSyncSet(["b"], now: Self.timeout) == [.leftRefusing, .confirm(upTo: 5)])
        #expect(r.mode.acceptsWrites)
    }

    @Test func aMemberNotConnectedMeansNothingIsConfirmed() {
        var r = rule(k: 1)
        _ = r.setSyncSet(["b"], now: 0)
        _ = r.writeWaiting(through: 3, since: 0)
        #expect(r.leaderSynced(through: 3, now: 0) == [])
        #expect(r.syncSetAcknowledgement() == nil)
    }
}
