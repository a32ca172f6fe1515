import Testing
@testable import Failover

/// A planned switchover without etcd: the leader fences, waits for its target, steps down; only
/// the target may campaign meanwhile; a target outside the sync set, or one that does not catch
/// up in time, ends the request and the leader confirms again.
@Suite struct SwitchoverTests {
    let ttl = 3 * second

    func key(_ node: String, revision: Int64, lease: Int64 = 99) -> ElectionStateMachine.LeaderKey {
        .init(record: LeaderRecord(node: node, http: "http://\(node)", replication: "\(node):7000"),
              createRevision: revision, modRevision: revision, lease: lease)
    }

    /// Node a leading at term 5 with sync set `members`, lease granted at 0.
    func leader(members: [String] = ["b"], k: Int = 1) -> ElectionStateMachine {
        var m = ElectionStateMachine(configuration: .init(node: "a", leaseTTL: ttl, syncReplicas: k), localTerm: 0)
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 7, ttl: ttl, sentAt: 0)
        _ = m.observed(leader: nil, syncSet: nil, now: 0)
        _ = m.campaignWon(key("a", revision: 5, lease: 7))
        _ = m.leaderStarted(term: 5)
        _ = m.syncSetPublished(SyncSetRecord(leader: "a", term: 5, members: []), now: 0)
        m.syncSetChanged(SyncSetRecord(leader: "a", term: 5, members: members))
        return m
    }

    func request(to target: String, from: String = "a", timeout: Int64 = 1000) -> SwitchoverRecord {
        SwitchoverRecord(from: from, to: target, timeoutMilliseconds: timeout, requestedAt: 1)
    }

    /// A follower `node` of a at term 5 with sync set `members`.
    func follower(_ node: String, members: [String]) -> ElectionStateMachine {
        var m = ElectionStateMachine(configuration: .init(node: node, leaseTTL: ttl, syncReplicas: 1), localTerm: 0)
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 3, ttl: ttl, sentAt: 0)
        _ = m.observed(leader: key("a", revision: 5), syncSet: SyncSetRecord(leader: "a", term: 5, members: members), now: 0)
        return m
    }

    @Test func theLeaderFencesWaitsForItsTargetAndStepsDown() {
        var m = leader()
        #expect(m.observed(switchover: request(to: "b"), now: 10) == [.fence, .handOver(to: "b")])
        #expect(!m.confirmsWrites)
        #expect(m.handoverTarget == "b")
        // A renewal meanwhile does not unfence it.
        _ = m.tick(now: ttl / 3)
        #expect(m.leaseRenewed(sentAt: ttl / 3, ttl: ttl, now: ttl / 3 + 1) == [])
        #expect(!m.confirmsWrites)
        // The same request read again starts nothing new.
        #expect(m.observed(switchover: request(to: "b"), now: ttl / 3 + 2) == [])
        #expect(m.handoverCaughtUp() == [.stepDown(reason: "switched over to b")])
        #expect(m.role == .steppedDown)
        #expect(m.handoverTarget == nil)
    }

    @Test func aTargetOutsideTheSyncSetIsRefusedOnce() {
        var m = leader(members: ["c"])
        #expect(m.observed(switchover: request(to: "b"), now: 10) == [.endSwitchover(reason: "b is not in the sync set")])
        #expect(m.confirmsWrites)
        // Until its deletion is seen, the lingering request is not taken up again.
        #expect(m.observed(switchover: request(to: "b"), now: 20) == [])
        #expect(m.confirmsWrites)
    }

    @Test func asynchronousClustersHandOverToAnyMember() {
        var m = leader(members: [], k: 0)
        #expect(m.observed(switchover: request(to: "z"), now: 10) == [.fence, .handOver(to: "z")])
    }

    @Test func aTargetThatDoesNotCatchUpInTimeEndsTheRequest() {
        var m = leader()
        _ = m.observed(switchover: request(to: "b", timeout: 500), now: 0)
        #expect(m.tick(now: 400_000_000) == [])
        #expect(m.tick(now: 500_000_000) == [.endSwitchover(reason: "b did not hold every record in time"), .unfence])
        #expect(m.confirmsWrites)
        #expect(m.handoverTarget == nil)
        #expect(m.observed(switchover: request(to: "b", timeout: 500), now: 600_000_000) == [])
        #expect(m.handoverCaughtUp() == [])
        #expect(m.role == .leader(term: 5, ready: true))
    }

    @Test func aWithdrawnRequestLetsTheLeaderConfirmAgain() {
        var m = leader()
        _ = m.observed(switchover: request(to: "b"), now: 0)
        #expect(m.observed(switchover: nil, now: 10) == [.unfence])
        #expect(m.confirmsWrites)
    }

    @Test func aRequestForAnotherLeaderOrForItselfIsIgnored() {
        var m = leader()
        #expect(m.observed(switchover: request(to: "b", from: "x"), now: 0) == [])
        #expect(m.observed(switchover: request(to: "a"), now: 0) == [])
        #expect(m.confirmsWrites)
    }

    @Test func onlyTheTargetCampaignsWhileTheRequestExists() {
        var b = follower("b", members: ["b", "c"])
        var c = follower("c", members: ["b", "c"])
        _ = b.observed(switchover: request(to: "b"), now: 1)
        _ = c.observed(switchover: request(to: "b"), now: 1)
        #expect(b.isEligible)
        #expect(!c.isEligible)
        #expect(c.observed(leader: nil, syncSet: nil, now: 2) == [])
        #expect(b.observed(leader: nil, syncSet: nil, now: 2) == [.campaign(lease: 3)])
        // Once the request is gone, c may campaign again.
        _ = c.observed(switchover: nil, now: 3)
        #expect(c.observed(leader: nil, syncSet: nil, now: 4) == [.campaign(lease: 3)])
    }

    @Test func theTargetOutsideTheSyncSetStillMayNotCampaign() {
        // A stale request naming a follower the leader never synchronised: the sync rule holds.
        var d = follower("d", members: ["b"])
        _ = d.observed(switchover: request(to: "d"), now: 1)
        #expect(!d.isEligible)
        #expect(d.observed(leader: nil, syncSet: nil, now: 2) == [])
    }

    @Test func theNewLeaderEndsTheRequestOnceItConfirms() {
        var b = follower("b", members: ["b"])
        _ = b.observed(switchover: request(to: "b"), now: 1)
        #expect(b.observed(leader: nil, syncSet: nil, now: 2) == [.campaign(lease: 3)])
        let won = key("b", revision: 9, lease: 3)
        #expect(b.campaignWon(won) == [.lead(term: 9, key: won)])
        #expect(b.leaderStarted(term: 9) == [.publishInitialSyncSet(term: 9, leaderModRevision: 9)])
        #expect(b.syncSetPublished(SyncSetRecord(leader: "b", term: 9, members: []), now: 3) == [.endSwitchover(reason: nil), .unfence])
        #expect(b.confirmsWrites)
    }
}
