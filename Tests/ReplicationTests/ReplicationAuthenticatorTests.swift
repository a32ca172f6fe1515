import Testing
@testable import Replication

@Suite struct ReplicationAuthenticatorTests {
    let followerNonce = nonce(0x11)
    let leaderNonce = nonce(0x22)

    @Test func theRightSecretPassesBothWays() {
        let leader = authenticator(), follower = authenticator()
        let leaderProof = leader.leaderProof(followerNonce: followerNonce, leaderNonce: leaderNonce)
        #expect(leaderProof.count == 32)
        #expect(follower.isValidLeaderProof(leaderProof, followerNonce: followerNonce, leaderNonce: leaderNonce))
        let followerProof = follower.followerProof(leaderNonce: leaderNonce, followerNonce: followerNonce)
        #expect(leader.isValidFollowerProof(followerProof, leaderNonce: leaderNonce, followerNonce: followerNonce))
    }

    @Test func aWrongSecretFailsBothWays() {
        let right = authenticator(), wrong = authenticator(otherSecret)
        // An impostor leader cannot prove itself to a follower…
        let impostorLeader = wrong.leaderProof(followerNonce: followerNonce, leaderNonce: leaderNonce)
        #expect(!right.isValidLeaderProof(impostorLeader, followerNonce: followerNonce, leaderNonce: leaderNonce))
        // …nor an impostor follower to a leader.
        let impostorFollower = wrong.followerProof(leaderNonce: leaderNonce, followerNonce: followerNonce)
        #expect(!right.isValidFollowerProof(impostorFollower, leaderNonce: leaderNonce, followerNonce: followerNonce))
    }

    @Test func aReplayedProofFailsWithAnotherNonce() {
        let auth = authenticator()
        let recorded = auth.followerProof(leaderNonce: leaderNonce, followerNonce: followerNonce)
        #expect(!auth.isValidFollowerProof(recorded, leaderNonce: nonce(0x33), followerNonce: followerNonce))
        #expect(!auth.isValidFollowerProof(recorded, leaderNonce: leaderNonce, followerNonce: nonce(0x44)))
        let recordedLeader = auth.leaderProof(followerNonce: followerNonce, leaderNonce: leaderNonce)
        #expect(!auth.isValidLeaderProof(recordedLeader, followerNonce: nonce(0x55), leaderNonce: leaderNonce))
    }

    @Test func theTwoDirectionsCannotBeSwapped() {
        let auth = authenticator()
        // Same nonces in the other direction's order: the labels still differ.
        let leaderProof = auth.leaderProof(followerNonce: followerNonce, leaderNonce: leaderNonce)
        #expect(!auth.isValidFollowerProof(leaderProof, leaderNonce: followerNonce, followerNonce: leaderNonce))
        #expect(!auth.isValidFollowerProof(leaderProof, leaderNonce: leaderNonce, followerNonce: followerNonce))
    }

    @Test func proofsAreTheDocumentedHMAC() {
        // HMAC-SHA256(key = 32 x 0x0b, "authd-replication-leader\0" || 32 x 0x11 || 32 x 0x22), computed
        // independently with `openssl dgst -sha256 -mac HMAC -macopt hexkey:0b…0b`.
        let auth = authenticator([UInt8](repeating: 0x0B, count: 32))
        let proof = auth.leaderProof(followerNonce: followerNonce, leaderNonce: leaderNonce)
        #expect(hex(proof) == "ab0316949b3922b0b2de79549120d95bdf1a1b2f2be32c46a3e8fb4f13753dc3")
        // RFC 4231 test case 2 through the same primitive.
        let rfc = HMACSHA256.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(hex(rfc) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func truncatedOrEmptyProofsFail() {
        let auth = authenticator()
        let proof = auth.leaderProof(followerNonce: followerNonce, leaderNonce: leaderNonce)
        #expect(!auth.isValidLeaderProof(Array(proof.dropLast()), followerNonce: followerNonce, leaderNonce: leaderNonce))
        #expect(!auth.isValidLeaderProof([], followerNonce: followerNonce, leaderNonce: leaderNonce))
    }

    @Test func shortSecretsAreRefused() {
        #expect(throws: ReplicationProtocolError.secretTooShort(length: 31, minimum: 32)) {
            try ReplicationAuthenticator(secret: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: ReplicationProtocolError.secretTooShort(length: 0, minimum: 32)) {
            try ReplicationAuthenticator(secret: [])
        }
    }

    @Test func noncesAreFreshRandomBytes() {
        let a = ReplicationAuthenticator.makeNonce(), b = ReplicationAuthenticator.makeNonce()
        #expect(a.count == 32)
        #expect(b.count == 32)
        #expect(a != b)
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
