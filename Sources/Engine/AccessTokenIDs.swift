import COpenSSL

/// Derives the `jti` of a pair's access token from the `jti` of its refresh token.
///
/// Every token needs its own identifier (RFC 7519 §4.1.7), yet a session keeps only the
/// refresh link's `TokenID` so that the current pair can be re-created byte for byte (the
/// reuse grace). The access token's id is therefore a keyed function of the refresh id: one
/// AES-128 block encryption of its 16 bytes, under a key derived from the access-token secret
/// (the first 16 bytes of HMAC-SHA256(secret, label)). A block cipher is a permutation: two
/// different refresh ids never give the same access id, and refresh ids are 128 random bits
/// that never repeat, so neither do access ids. Without the key nobody can compute one id from
/// the other, or predict either. No byte is added to the session record, and the cost on the
/// refresh path is one AES block (AES-NI, a reused context) rather than a second hash.
///
/// Not thread-safe (it owns an OpenSSL cipher context): each shard has its own.
final class AccessTokenIDs {
    /// The label the derivation key is made from (domain separation from token signatures).
    static let keyLabel: [UInt8] = Array("authd/v1/access-token-jti".utf8)

    private let context: OpaquePointer

    /// A derivation under a key made from `accessSecret`, so the secret that signs access
    /// tokens never keys anything but token signatures.
    init(accessSecret: [UInt8]) {
        let key = Array(HMACSigner(key: accessSecret).authenticate(Self.keyLabel).prefix(16))
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("OpenSSL cipher contexts are unavailable") }
        let ok = key.withUnsafeBufferPointer { EVP_EncryptInit_ex(context, EVP_aes_128_ecb(), nil, $0.baseAddress, nil) }
        precondition(ok == 1 && EVP_CIPHER_CTX_set_padding(context, 0) == 1, "AES-128 initialisation failed")
        self.context = context
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// The access token `jti` of the pair whose refresh token carries `refresh`. Allocates
    /// nothing: the block lives on the stack, and ECB without padding needs no finalisation.
    func id(for refresh: TokenID) -> TokenID {
        let block = (refresh.high.bigEndian, refresh.low.bigEndian)
        var out: (UInt64, UInt64) = (0, 0)
        var length: Int32 = 0
        let ok = withUnsafeBytes(of: block) { input in
            withUnsafeMutableBytes(of: &out) { output in
                EVP_EncryptUpdate(context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), &length,
                                  input.baseAddress!.assumingMemoryBound(to: UInt8.self), 16)
            }
        }
        precondition(ok == 1 && length == 16, "AES-128 block encryption failed")
        return TokenID(high: UInt64(bigEndian: out.0), low: UInt64(bigEndian: out.1))
    }
}
