/// Derives the `jti` of a pair's access token from the `jti` of its refresh token.
///
/// Every token needs its own identifier (RFC 7519 §4.1.7), yet a session keeps only the
/// refresh link's `TokenID` so that the current pair can be re-created byte for byte (the
/// reuse grace). The access token's id is therefore a keyed function of the refresh id:
/// HMAC-SHA256 under a key derived from the access-token secret, truncated to 128 bits.
/// Refresh ids are 128 random bits and never repeat, so neither do the derived ids; without
/// the key nobody can link an access token's id to its refresh token's, or predict either.
/// No byte is added to the session record.
///
/// Not thread-safe (it owns an `HMACSigner`): each shard has its own.
struct AccessTokenIDs {
    /// The label the derivation key is made from (domain separation from token signatures).
    static let keyLabel: [UInt8] = Array("authd/v1/access-token-jti".utf8)

    private let signer: HMACSigner

    /// A derivation under a key made from `accessSecret` (HMAC-SHA256(accessSecret, label)),
    /// so the secret that signs access tokens never MACs anything but token signing inputs.
    init(accessSecret: [UInt8]) {
        signer = HMACSigner(key: HMACSigner(key: accessSecret).authenticate(Self.keyLabel))
    }

    /// The access token `jti` of the pair whose refresh token carries `refresh`. Allocates
    /// nothing: the message and the MAC live on the stack.
    func id(for refresh: TokenID) -> TokenID {
        var message = (refresh.high.bigEndian, refresh.low.bigEndian)
        return withUnsafeBytes(of: &message) { input in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { mac in
                signer.authenticate(input, into: mac.baseAddress!)
                let raw = UnsafeRawBufferPointer(mac)
                return TokenID(high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                               low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
        }
    }
}
