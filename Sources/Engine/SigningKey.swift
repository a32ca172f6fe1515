import Foundation

/// One generated access-token signing key, as engine state: created (and published) at
/// `createdAt`, signing from `activatesAt`, retired when the next key activates, and dropped by
/// a `signingKeyDropped` record once no token it signed can still be live (`SigningKeyLifecycle`).
///
/// The private key lives here, in the owning shard's state, in the WAL record that created it
/// and in snapshots (inside the owner-only data directory), and in the signing contexts built
/// from it; nowhere else. Its descriptions show the `kid` and algorithm only, so no log line,
/// error or dump can carry the bytes.
public struct SigningKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var kid: String
    public var algorithm: SigningAlgorithm
    /// Ed25519's 32-byte seed, or P-256's 32-byte private scalar (`SigningKeyMaterial`).
    var privateKey: [UInt8]
    /// Ed25519's 32 bytes, or P-256's `x || y` (64 bytes).
    public var publicKey: [UInt8]
    public var createdAt: Timestamp
    public var activatesAt: Timestamp

    init(kid: String, algorithm: SigningAlgorithm, privateKey: [UInt8], publicKey: [UInt8], createdAt: Timestamp, activatesAt: Timestamp) {
        self.kid = kid
        self.algorithm = algorithm
        self.privateKey = privateKey
        self.publicKey = publicKey
        self.createdAt = createdAt
        self.activatesAt = activatesAt
    }

    /// A new key of `algorithm` with a random 16-character `kid`.
    static func generate(_ algorithm: SigningAlgorithm, at now: Timestamp, activatesAt: Timestamp) -> SigningKey {
        let pair = SigningKeyMaterial.generate(algorithm)
        var id = [UInt8](repeating: 0, count: 12)
        for i in id.indices { id[i] = UInt8.random(in: 0...255) }
        return SigningKey(kid: String(decoding: Base64URL.encode(id), as: UTF8.self), algorithm: algorithm,
                          privateKey: pair.privateKey, publicKey: pair.publicKey, createdAt: now, activatesAt: activatesAt)
    }

    /// The key without its private half (what leaves the owning shard for the JWKS and `keys list`).
    public var published: SigningKey {
        var copy = self
        copy.privateKey = []
        return copy
    }

    public var description: String { "SigningKey(kid: \(kid), alg: \(algorithm.rawValue))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["kid": kid, "algorithm": algorithm], displayStyle: .struct) }
}

extension SigningKey {
    /// Key records belong to this id's shard (route 0: shard 0 at every shard count), so that
    /// recovery, replicas and snapshots place them as they place any user's records; the engine
    /// then hands the keys to every shard (`AuthEngine.installSigningKeys`). No user has it:
    /// user ids are version-8 UUIDs, never the nil UUID.
    public static let ownerID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}
