import Testing
@testable import Replication

/// Inputs the replication fuzz target (Fuzz/Sources/FuzzReplication) found to crash, kept as
/// regression tests (docs/reliability.md lists the findings).
@Suite struct FuzzFindingTests {
    /// A leader that has proven the secret sends `start(stream)` from the largest LSN: the refusal
    /// message used to compute `commonLSN + 1` and trapped on the overflow.
    @Test func aStreamStartAtTheLargestLSNIsRefusedNotATrap() {
        var session = try! FollowerSession(configuration: followerConfiguration(), position: .empty, nonce: followerNonce)
        _ = session.connected(now: 0)
        _ = session.received(genuineChallenge(), now: 1)
        #expect(session.phase == .proofSent)
        let actions = session.received(startMessage(commonLSN: UInt64.max), now: 2)
        #expect(refusal(actions) == .protocolViolation)
        #expect(session.phase == .closed)
    }
}
