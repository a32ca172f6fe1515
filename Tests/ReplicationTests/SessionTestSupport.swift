@testable import Replication

/// The messages among `actions` of a follower session.
func sent(_ actions: [FollowerSession.Action]) -> [ReplicationMessage] {
    actions.compactMap { if case let .send(message) = $0 { message } else { nil } }
}

/// The messages among `actions` of a leader session.
func sent(_ actions: [LeaderSession.Action]) -> [ReplicationMessage] {
    actions.compactMap { if case let .send(message) = $0 { message } else { nil } }
}

let followerNonce = nonce(0xF0)
let leaderNonce = nonce(0x1E)
let second: UInt64 = 1_000_000_000

func followerConfiguration(secret: [UInt8] = testSecret, idleTimeout: UInt64 = 10 * second) -> FollowerSession.Configuration {
    try! FollowerSession.Configuration(node: "follower-1", authenticator: authenticator(secret), idleTimeout: idleTimeout)
}

func leaderConfiguration(
    secret: [UInt8] = testSecret, term: UInt64 = 2, terms: TermHistory = history((0, 1), (2, 51)),
    heartbeatInterval: UInt64 = second, idleTimeout: UInt64 = 5 * second
) -> LeaderSession.Configuration {
    try! LeaderSession.Configuration(
        authenticator: authenticator(secret), term: term, node: "leader-1", httpURL: "http://127.0.0.1:8080",
        terms: terms, heartbeatInterval: heartbeatInterval, idleTimeout: idleTimeout)
}

/// The leader's genuine challenge for `followerNonce`.
func genuineChallenge(secret: [UInt8] = testSecret, leader: [UInt8] = leaderNonce) -> ReplicationMessage {
    .challenge(nonce: leader, proof: authenticator(secret).leaderProof(followerNonce: followerNonce, leaderNonce: leader))
}

/// The follower's genuine proof for `leaderNonce`.
func genuineProof(_ position: LogPosition, secret: [UInt8] = testSecret) -> ReplicationMessage {
    .proof(proof: authenticator(secret).followerProof(leaderNonce: leaderNonce, followerNonce: followerNonce), position: position)
}

func startMessage(
    term: UInt64 = 2, mode: StartInstruction.Mode = .stream, commonLSN: UInt64 = 0, commonCRC: UInt32 = 0
) -> ReplicationMessage {
    .start(StartInstruction(
        term: term, leaderNode: "leader-1", leaderHTTP: "http://127.0.0.1:8080", mode: mode,
        commonLSN: commonLSN, commonCRC: commonCRC))
}

/// The code of a `refuse` action, if the actions end with one.
func refusal(_ actions: [FollowerSession.Action]) -> RefusalCode? {
    if case let .refuse(code, _) = actions.last { code } else { nil }
}

func refusal(_ actions: [LeaderSession.Action]) -> RefusalCode? {
    if case let .refuse(code, _) = actions.last { code } else { nil }
}
