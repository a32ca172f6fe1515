import Testing
@testable import Failover

let second: UInt64 = 1_000_000_000

/// The election rules without etcd: campaign only when free and eligible, lead only after the
/// sync set is published, fence before the lease can expire, step down when the lease or the key
/// is lost, follow whoever holds the key.
@Suite struct ElectionStateMachineTests {
    let ttl = 3 * second

    func machine(_ node: String = "a", k: Int = 1, localTerm: UInt64 = 0) -> ElectionStateMachine {
        ElectionStateMachine(configuration: .init(node: node, leaseTTL: ttl, syncReplicas: k), localTerm: localTerm)
    }

    func key(_ node: String, revision: Int64, lease: Int64 = 99) -> ElectionStateMachine.LeaderKey {
        .init(record: LeaderRecord(node: node, http: "http://\(node)", replication: "\(node):7000"),
              createRevision: revision, modRevision: revision, lease: lease)
    }

    /// A node that won at `term` and is ready to confirm writes, at time 0 + a lease granted at 0.
    func leader(term: Int64 = 5, k: Int = 1) -> ElectionStateMachine {
        var m = machine(k: k)
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 7, ttl: ttl, sentAt: 0)
        _ = m.observed(leader: nil, syncSet: nil, now: 0)
        _ = m.campaignWon(key("a", revision: term, lease: 7))
        _ = m.leaderStarted(term: term)
        _ = m.syncSetPublished(SyncSetRecord(leader: "a", term: term, members: []), now: 0)
        return m
    }

    @Test func aFreshNodeGrantsCampaignsLeadsAndConfirmsOnlyAfterPublishingItsSyncSet() {
        var m = machine()
        #expect(m.tick(now: 0) == [.grantLease])
        #expect(m.tick(now: 1) == [])                       // one grant at a time
        #expect(m.leaseGranted(id: 7, ttl: ttl, sentAt: 0) == [])   // the key was never read yet
        #expect(m.observed(leader: nil, syncSet: nil, now: 1) == [.campaign(lease: 7)])
        #expect(m.role == .candidate)
        let won = key("a", revision: 5, lease: 7)
        #expect(m.campaignWon(won) == [.lead(term: 5, key: won)])
        #expect(!m.confirmsWrites)
        #expect(m.leaderStarted(term: 5) == [.publishInitialSyncSet(term: 5, leaderModRevision: 5)])
        #expect(!m.confirmsWrites)
        #expect(m.syncSetPublished(SyncSetRecord(leader: "a", term: 5, members: []), now: 2) == [.unfence])
        #expect(m.confirmsWrites)
        #expect(m.role == .leader(term: 5, ready: true))
    }

    @Test func theLeaderRenewsEveryThirdOfTheTTLAndFencesBeforeTheDeadline() {
        var m = leader()
        #expect(m.tick(now: second / 2) == [])
        #expect(m.tick(now: ttl / 3) == [.renewLease(id: 7)])
        #expect(m.tick(now: ttl / 3 + 1) == [])             // one renewal in flight
        // The renewal never comes back (etcd cut off): fenced a margin before the deadline.
        let margin = m.configuration.safetyMargin
        #expect(m.tick(now: ttl - margin - 1) == [])
        #expect(m.tick(now: ttl - margin) == [.fence])
        #expect(!m.confirmsWrites)
        // It comes back in time: confirming again.
        #expect(m.leaseRenewed(sentAt: ttl - margin, ttl: ttl, now: ttl - margin + 1) == [.unfence])
        #expect(m.confirmsWrites)
    }

    @Test func aLeaderWhoseLeaseExpiredStepsDown() {
        var m = leader()
        _ = m.tick(now: ttl / 3)
        _ = m.leaseFailed(leaseGone: false, now: ttl / 3 + 1)   // etcd unreachable: keep trying
        // It keeps renewing while it fences.
        #expect(m.tick(now: ttl - 1) == [.renewLease(id: 7), .fence])
        #expect(m.tick(now: ttl) == [.stepDown(reason: "the lease expired before a renewal succeeded")])
        #expect(m.role == .steppedDown)
    }

    @Test func aLeaderWhoseLeaseIsGoneStepsDownAtOnce() {
        var m = leader()
        #expect(m.leaseFailed(leaseGone: true, now: second) == [.fence, .stepDown(reason: "etcd no longer holds this node's lease")])
        #expect(!m.confirmsWrites)
    }

    @Test func aLeaderSeeingAnotherHolderStepsDown() {
        var m = leader()
        let actions = m.observed(leader: key("b", revision: 9), syncSet: nil, now: second)
        #expect(actions == [.fence, .stepDown(reason: "the leader key is held by b at term 9")])
        var n = leader()
        #expect(n.observed(leader: nil, syncSet: nil, now: second) == [.fence, .stepDown(reason: "the leader key is gone")])
        // Its own key, unchanged: nothing happens.
        var o = leader()
        #expect(o.observed(leader: key("a", revision: 5, lease: 7), syncSet: nil, now: second) == [])
    }

    @Test func aFollowerFollowsTheHolderAndCampaignsOnlyWhenEligible() {
        var m = machine("c")
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 3, ttl: ttl, sentAt: 0)
        let b = key("b", revision: 4)
        #expect(m.observed(leader: b, syncSet: SyncSetRecord(leader: "b", term: 4, members: ["d"]), now: 0) == [.follow(b)])
        #expect(m.observed(leader: b, syncSet: nil, now: 1) == [])
        // b is gone, but c is not in b's sync set: it may lack acknowledged writes.
        #expect(!m.isEligible)
        #expect(m.observed(leader: nil, syncSet: nil, now: 2) == [])
        #expect(m.tick(now: 3) == [])
        // Once c is a member it campaigns.
        #expect(m.observed(leader: nil, syncSet: SyncSetRecord(leader: "b", term: 4, members: ["c"]), now: 4) == [.campaign(lease: 3)])
    }

    @Test func theFormerLeaderMayCampaign() {
        var m = machine("b")
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 3, ttl: ttl, sentAt: 0)
        #expect(m.observed(leader: nil, syncSet: SyncSetRecord(leader: "b", term: 4, members: []), now: 1) == [.campaign(lease: 3)])
    }

    @Test func asynchronousClustersLetAnyoneCampaign() {
        var m = machine("z", k: 0)
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 3, ttl: ttl, sentAt: 0)
        #expect(m.observed(leader: nil, syncSet: SyncSetRecord(leader: "b", term: 4, members: []), now: 1) == [.campaign(lease: 3)])
    }

    @Test func noCampaignOnALeaseNearItsDeadline() {
        var m = machine()
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 3, ttl: ttl, sentAt: 0)
        #expect(m.observed(leader: key("b", revision: 4), syncSet: nil, now: 0) == [.follow(key("b", revision: 4))])
        #expect(m.observed(leader: nil, syncSet: nil, now: ttl - m.configuration.safetyMargin) == [])
    }

    @Test func aLostCampaignFollowsTheWinner() {
        var m = machine()
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 3, ttl: ttl, sentAt: 0)
        _ = m.observed(leader: nil, syncSet: nil, now: 0)
        let b = key("b", revision: 8)
        #expect(m.campaignLost(holder: b, now: 1) == [.follow(b)])
        #expect(m.role == .follower(leader: "b"))
        #expect(m.failovers == 0)
    }

    @Test func aTermNotNewerThanTheLogsIsGivenBack() {
        var m = machine(localTerm: 12)
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 3, ttl: ttl, sentAt: 0)
        _ = m.observed(leader: nil, syncSet: nil, now: 0)
        #expect(m.campaignWon(key("a", revision: 10, lease: 3)) == [.deleteLeaderKey(modRevision: 10)])
        #expect(m.role == .follower(leader: nil))
    }

    @Test func thisNodesKeyFromAnEarlierRunIsDeleted() {
        var m = machine()
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 3, ttl: ttl, sentAt: 0)
        #expect(m.observed(leader: key("a", revision: 6, lease: 1), syncSet: nil, now: 0) == [.deleteLeaderKey(modRevision: 6)])
    }

    @Test func aRejectedSyncSetMeansTheKeyIsLost() {
        var m = machine()
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 7, ttl: ttl, sentAt: 0)
        _ = m.observed(leader: nil, syncSet: nil, now: 0)
        _ = m.campaignWon(key("a", revision: 5, lease: 7))
        _ = m.leaderStarted(term: 5)
        #expect(m.syncSetRejected() == [.stepDown(reason: "the leader key changed before the sync set was published")])
        #expect(!m.confirmsWrites)
    }

    @Test func aReadySyncSetOnALeaseNearItsDeadlineStaysFenced() {
        var m = machine()
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 7, ttl: ttl, sentAt: 0)
        _ = m.observed(leader: nil, syncSet: nil, now: 0)
        _ = m.campaignWon(key("a", revision: 5, lease: 7))
        _ = m.leaderStarted(term: 5)
        #expect(m.syncSetPublished(SyncSetRecord(leader: "a", term: 5, members: []), now: ttl - 1) == [])
        #expect(!m.confirmsWrites)
        #expect(m.leaseRenewed(sentAt: ttl - 1, ttl: ttl, now: ttl) == [.unfence])
    }

    @Test func failoversAreCounted() {
        var m = machine("c")
        _ = m.tick(now: 0)
        _ = m.leaseGranted(id: 3, ttl: ttl, sentAt: 0)
        _ = m.observed(leader: key("a", revision: 4), syncSet: nil, now: 0)
        _ = m.observed(leader: key("b", revision: 9), syncSet: nil, now: 1)
        #expect(m.failovers == 1)
    }
}
