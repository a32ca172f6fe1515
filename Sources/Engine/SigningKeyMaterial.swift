import COpenSSL
import Foundation

/// Generating asymmetric keys and moving them in and out of OpenSSL.
///
/// Private keys are kept as bytes in engine state (`SigningKey.privateKey`): Ed25519's 32-byte
/// seed, or P-256's 32-byte private scalar. Public keys as JWKS needs them: Ed25519's 32 bytes,
/// or P-256's uncompressed point `x || y` (64 bytes).
enum SigningKeyMaterial {
    /// A new key pair for `algorithm` (asymmetric algorithms only).
    static func generate(_ algorithm: SigningAlgorithm) -> (privateKey: [UInt8], publicKey: [UInt8]) {
        precondition(algorithm.isAsymmetric, "HS256 keys are configured secrets, not generated")
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm == .edDSA ? "ED25519" : "EC", nil) else {
            fatalError("OpenSSL key generation is unavailable")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var ok = EVP_PKEY_keygen_init(context)
        if algorithm == .es256 { ok &= EVP_PKEY_CTX_set_group_name(context, "P-256") }
        var key: OpaquePointer?
        ok &= EVP_PKEY_generate(context, &key)
        guard ok == 1, let key else { fatalError("OpenSSL key generation failed") }
        defer { EVP_PKEY_free(key) }
        guard let pair = export(key, algorithm: algorithm) else { fatalError("OpenSSL key export failed") }
        return pair
    }

    /// The public key of `privateKey`, or nil when the bytes are not a key of `algorithm`.
    static func publicKey(of privateKey: [UInt8], algorithm: SigningAlgorithm) -> [UInt8]? {
        guard let key = decodePrivateKey(privateKey, algorithm: algorithm) else { return nil }
        defer { EVP_PKEY_free(key) }
        return export(key, algorithm: algorithm)?.publicKey
    }

    /// An `EVP_PKEY` (owned by the caller) for the stored private key bytes.
    static func decodePrivateKey(_ bytes: [UInt8], algorithm: SigningAlgorithm) -> OpaquePointer? {
        guard bytes.count == 32 else { return nil }
        switch algorithm {
        case .hs256:
            return nil
        case .edDSA:
            return bytes.withUnsafeBufferPointer { EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) }
        case .es256:
            // The public point is derived from the scalar, then both are handed to OpenSSL.
            guard let group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1) else { return nil }
            defer { EC_GROUP_free(group) }
            guard let scalar = bytes.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, 32, nil) }) else { return nil }
            defer { BN_clear_free(scalar) }
            guard let point = EC_POINT_new(group) else { return nil }
            defer { EC_POINT_free(point) }
            guard BN_is_zero(scalar) == 0, EC_POINT_mul(group, point, scalar, nil, nil, nil) == 1 else { return nil }
            var encoded = [UInt8](repeating: 0, count: 65)
            guard EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, &encoded, 65, nil) == 65 else { return nil }
            guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { return nil }
            defer { EVP_PKEY_CTX_free(context) }
            var key: OpaquePointer?
            // OSSL_PARAM big numbers are native-endian unsigned integers: a little-endian copy.
            var little = Array(bytes.reversed())
            // OSSL_PARAM keeps pointers to its names and values: all of them must outlive the call.
            let ok: Int32 = withCStrings("group", "pub", "priv", "prime256v1") { names -> Int32 in
                encoded.withUnsafeMutableBufferPointer { pub in
                    little.withUnsafeMutableBufferPointer { scalar in
                        var params = [
                            OSSL_PARAM_construct_utf8_string(names[0], UnsafeMutablePointer(mutating: names[3]), 0),
                            OSSL_PARAM_construct_octet_string(names[1], pub.baseAddress, 65),
                            OSSL_PARAM_construct_BN(names[2], scalar.baseAddress, 32),
                            OSSL_PARAM_construct_end(),
                        ]
                        guard EVP_PKEY_fromdata_init(context) == 1 else { return 0 }
                        return EVP_PKEY_fromdata(context, &key, authd_EVP_PKEY_KEYPAIR, &params)
                    }
                }
            }
            for i in little.indices { little[i] = 0 }
            return ok == 1 ? key : nil
        }
    }

    /// The stored bytes of both halves of `key`.
    private static func export(_ key: OpaquePointer, algorithm: SigningAlgorithm) -> (privateKey: [UInt8], publicKey: [UInt8])? {
        switch algorithm {
        case .hs256:
            return nil
        case .edDSA:
            var privateKey = [UInt8](repeating: 0, count: 32), publicKey = [UInt8](repeating: 0, count: 32)
            var privateLength = 32, publicLength = 32
            guard EVP_PKEY_get_raw_private_key(key, &privateKey, &privateLength) == 1, privateLength == 32,
                  EVP_PKEY_get_raw_public_key(key, &publicKey, &publicLength) == 1, publicLength == 32 else { return nil }
            return (privateKey, publicKey)
        case .es256:
            var scalar: OpaquePointer?
            guard EVP_PKEY_get_bn_param(key, "priv", &scalar) == 1, let scalar else { return nil }
            defer { BN_clear_free(scalar) }
            var privateKey = [UInt8](repeating: 0, count: 32)
            guard BN_bn2binpad(scalar, &privateKey, 32) == 32 else { return nil }
            var encoded = [UInt8](repeating: 0, count: 65)
            var length = 0
            guard EVP_PKEY_get_octet_string_param(key, "encoded-pub-key", &encoded, 65, &length) == 1, length == 65, encoded[0] == 4 else {
                return nil
            }
            return (privateKey, Array(encoded[1...]))
        }
    }
}

/// Calls `body` with C copies of `strings` that stay valid for the whole call.
private func withCStrings<R>(_ strings: String..., body: ([UnsafePointer<CChar>]) -> R) -> R {
    let copies = strings.map { strdup($0)! }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { UnsafePointer($0) })
}
