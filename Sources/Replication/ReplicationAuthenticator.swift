/// The mutual challenge-response of the replication handshake, over `REPLICATION_SECRET`.
///
/// Each side sends a fresh 32-byte nonce; each proves it knows the secret with an HMAC-SHA256
/// over both nonces, so the secret never crosses the wire, a proof is bound to one connection
/// (a recorded proof fails against a new nonce), and the two directions cannot be swapped (each
/// has its own label):
///
///     leader proof   = HMAC(secret, "authd-replication-leader\0"   ‖ followerNonce ‖ leaderNonce)
///     follower proof = HMAC(secret, "authd-replication-follower\0" ‖ leaderNonce   ‖ followerNonce)
///
/// The leader proves first (in `challenge`), so a follower never sends its proof to, nor takes
/// frames from, a node that does not know the secret. Proofs are compared in constant time.
public struct ReplicationAuthenticator: Sendable {
    /// The shortest secret accepted, in bytes.
    public static let minimumSecretLength = 32
    /// The label in front of the leader's proof input.
    static let leaderLabel = Array("authd-replication-leader\0".utf8)
    /// The label in front of the follower's proof input.
    static let followerLabel = Array("authd-replication-follower\0".utf8)

    private let secret: [UInt8]

    /// An authenticator for `secret`; throws when it is shorter than `minimumSecretLength` bytes.
    public init(secret: [UInt8]) throws(ReplicationProtocolError) {
        guard secret.count >= Self.minimumSecretLength else {
            throw .secretTooShort(length: secret.count, minimum: Self.minimumSecretLength)
        }
        self.secret = secret
    }

    /// A fresh 32-byte nonce from OpenSSL's CSPRNG, for one connection. (The session state
    /// machines take their nonce as an argument, so they stay deterministic under test.)
    public static func makeNonce() -> [UInt8] {
        HMACSHA256.randomBytes(ReplicationMessage.nonceLength)
    }

    /// The leader's proof for a connection with these nonces.
    public func leaderProof(followerNonce: [UInt8], leaderNonce: [UInt8]) -> [UInt8] {
        HMACSHA256.mac(key: secret, message: Self.leaderLabel + followerNonce + leaderNonce)
    }

    /// The follower's proof for a connection with these nonces.
    public func followerProof(leaderNonce: [UInt8], followerNonce: [UInt8]) -> [UInt8] {
        HMACSHA256.mac(key: secret, message: Self.followerLabel + leaderNonce + followerNonce)
    }

    /// True when `proof` is the leader's proof for these nonces (constant-time comparison).
    public func isValidLeaderProof(_ proof: [UInt8], followerNonce: [UInt8], leaderNonce: [UInt8]) -> Bool {
        HMACSHA256.equal(proof, leaderProof(followerNonce: followerNonce, leaderNonce: leaderNonce))
    }

    /// True when `proof` is the follower's proof for these nonces (constant-time comparison).
    public func isValidFollowerProof(_ proof: [UInt8], leaderNonce: [UInt8], followerNonce: [UInt8]) -> Bool {
        HMACSHA256.equal(proof, followerProof(leaderNonce: leaderNonce, followerNonce: followerNonce))
    }
}
