import Testing
@testable import Failover

@Suite struct SyncSetPlannerTests {
    typealias F = SyncSetPlanner.Follower

    @Test func aSilentMemberIsDroppedFirst() {
        let change = SyncSetPlanner.next(members: ["b"], followers: [F(name: "b", acknowledgedLSN: 5, live: false),
                                                                     F(name: "c", acknowledgedLSN: 10, live: true)],
                                         confirmedLSN: 5, syncReplicas: 1)
        #expect(change == .shrink(to: [], dropped: "b"))
        // A member no longer connected at all counts as silent.
        #expect(SyncSetPlanner.next(members: ["b"], followers: [], confirmedLSN: 0, syncReplicas: 1) == .shrink(to: [], dropped: "b"))
    }

    @Test func aCaughtUpFollowerIsAddedTheMostAdvancedFirst() {
        let followers = [F(name: "b", acknowledgedLSN: 9, live: true), F(name: "c", acknowledgedLSN: 12, live: true),
                         F(name: "d", acknowledgedLSN: 20, live: false)]
        #expect(SyncSetPlanner.next(members: [], followers: followers, confirmedLSN: 9, syncReplicas: 1) == .grow(to: ["c"], added: "c"))
    }

    @Test func aFollowerMissingAcknowledgedWritesIsNotAdded() {
        let followers = [F(name: "b", acknowledgedLSN: 8, live: true)]
        #expect(SyncSetPlanner.next(members: [], followers: followers, confirmedLSN: 9, syncReplicas: 1) == .none)
    }

    @Test func aFullHealthySetStays() {
        let followers = [F(name: "b", acknowledgedLSN: 9, live: true), F(name: "c", acknowledgedLSN: 12, live: true)]
        #expect(SyncSetPlanner.next(members: ["b"], followers: followers, confirmedLSN: 9, syncReplicas: 1) == .none)
        #expect(SyncSetPlanner.next(members: ["b", "c"], followers: followers, confirmedLSN: 9, syncReplicas: 1)
                    == .shrink(to: ["b"], dropped: "c"))
    }
}
