import Replication

/// Fixed secrets and nonces of the handshakes the target plays, so a seed can carry a valid
/// proof and the fuzzer can mutate it.
enum HandshakeFixture {
    static let authenticator = try! ReplicationAuthenticator(secret: Array("fuzz-replication-secret-0123456789".utf8))
    static let leaderNonce = [UInt8](repeating: 0x4C, count: ReplicationMessage.nonceLength)
    static let followerNonce = [UInt8](repeating: 0x46, count: ReplicationMessage.nonceLength)
    static let terms = try! TermHistory(entries: [.init(term: 1, firstLSN: 1)])

    /// A leader session at term 2 whose log holds LSNs 1 through 100.
    static func leader() -> LeaderSession {
        let configuration = try! LeaderSession.Configuration(
            authenticator: authenticator, term: 2, node: "leader", httpURL: "http://127.0.0.1:1", terms: terms,
            heartbeatInterval: 1_000_000_000, idleTimeout: 10_000_000_000)
        return try! LeaderSession(configuration: configuration, nonce: leaderNonce, logEnd: 100, oldestRetainedLSN: 1, now: 0)
    }

    /// A follower session with an empty log.
    static func follower() -> FollowerSession {
        let configuration = try! FollowerSession.Configuration(node: "follower", authenticator: authenticator, idleTimeout: 10_000_000_000)
        return try! FollowerSession(configuration: configuration, position: .empty, nonce: followerNonce)
    }

    /// The messages of a whole leader-side handshake as a follower sends them, then an ack.
    static func followerSide() -> [ReplicationMessage] {
        [
            .hello(version: 1, node: "follower", nonce: followerNonce),
            .proof(proof: authenticator.followerProof(leaderNonce: leaderNonce, followerNonce: followerNonce),
                   position: LogPosition(durableLSN: 0, lastCRC: 0, terms: TermHistory())),
            .ack(durableLSN: 10, appliedLSN: 5),
            .heartbeat(leaderDurableLSN: 0, leaderTimeMillis: 1),
        ]
    }

    /// The messages a leader sends a follower: challenge, start, frames, heartbeat, snapshot, refusal.
    static func leaderSide(frames: [UInt8]) -> [ReplicationMessage] {
        [
            .challenge(nonce: leaderNonce, proof: authenticator.leaderProof(followerNonce: followerNonce, leaderNonce: leaderNonce)),
            .start(StartInstruction(term: 2, leaderNode: "leader", leaderHTTP: "http://127.0.0.1:1", mode: .stream, commonLSN: 0, commonCRC: 0)),
            .frames(bytes: frames),
            .heartbeat(leaderDurableLSN: 100, leaderTimeMillis: 1_790_000_000_000),
            .snapshotChunk(lsn: 5, totalBytes: 8, offset: 0, bytes: [1, 2, 3, 4]),
            .snapshotChunk(lsn: 5, totalBytes: 8, offset: 4, bytes: [5, 6, 7, 8]),
            .snapshotDone(lsn: 5, chainCRC: 7, nextFrameLSN: 6, terms: terms),
            .refuse(code: .staleTerm, message: "bye"),
        ]
    }
}
