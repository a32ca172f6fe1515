import COpenSSL

/// Ed25519 or ECDSA P-256 signing and verification with the system OpenSSL, reusing its
/// contexts: each call copies a context initialised once (`EVP_MD_CTX_copy_ex`), so no key
/// is decoded and no provider looked up per token.
///
/// Not thread-safe: each shard builds its own from the key's bytes, as with `HMACSigner`.
final class AsymmetricSigner {
    let algorithm: SigningAlgorithm
    private let key: OpaquePointer
    private let signTemplate: OpaquePointer
    private let verifyTemplate: OpaquePointer
    private let work: OpaquePointer

    /// A signer for the private key `privateKey` (`SigningKeyMaterial.privateKey`'s encoding);
    /// nil when the bytes are not a key of `algorithm`.
    init?(algorithm: SigningAlgorithm, privateKey: [UInt8]) {
        guard algorithm.isAsymmetric, let key = SigningKeyMaterial.decodePrivateKey(privateKey, algorithm: algorithm) else { return nil }
        guard let sign = EVP_MD_CTX_new(), let verify = EVP_MD_CTX_new(), let work = EVP_MD_CTX_new() else {
            fatalError("OpenSSL digest contexts are unavailable")
        }
        let digest = algorithm == .es256 ? EVP_sha256() : nil
        guard EVP_DigestSignInit(sign, nil, digest, nil, key) == 1, EVP_DigestVerifyInit(verify, nil, digest, nil, key) == 1 else {
            EVP_MD_CTX_free(sign); EVP_MD_CTX_free(verify); EVP_MD_CTX_free(work); EVP_PKEY_free(key)
            return nil
        }
        self.algorithm = algorithm
        self.key = key
        signTemplate = sign
        verifyTemplate = verify
        self.work = work
    }

    deinit {
        EVP_MD_CTX_free(work)
        EVP_MD_CTX_free(verifyTemplate)
        EVP_MD_CTX_free(signTemplate)
        EVP_PKEY_free(key)
    }

    /// Signs `message` into `output` (64 bytes: Ed25519's signature, or ES256's raw `r || s`).
    func sign(_ message: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) {
        precondition(EVP_MD_CTX_copy_ex(work, signTemplate) == 1, "EVP_MD_CTX_copy_ex failed")
        let input = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
        if algorithm == .edDSA {
            var length = 64
            precondition(EVP_DigestSign(work, output, &length, input, message.count) == 1 && length == 64, "Ed25519 signing failed")
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 80) { der in
            var length = 80
            precondition(EVP_DigestSign(work, der.baseAddress, &length, input, message.count) == 1, "ECDSA signing failed")
            precondition(ECDSASignature.raw(fromDER: UnsafeBufferPointer(rebasing: der[..<length]), into: output), "ECDSA signature not DER")
        }
    }

    /// Whether `signature` (64 bytes) is this key's signature of `message`.
    func verify(_ message: UnsafeRawBufferPointer, signature: UnsafeBufferPointer<UInt8>) -> Bool {
        guard signature.count == 64, EVP_MD_CTX_copy_ex(work, verifyTemplate) == 1 else { return false }
        let input = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
        if algorithm == .edDSA {
            return EVP_DigestVerify(work, signature.baseAddress, 64, input, message.count) == 1
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 72) { der in
            let length = ECDSASignature.der(fromRaw: signature, into: der)
            return EVP_DigestVerify(work, der.baseAddress, length, input, message.count) == 1
        }
    }
}

/// ES256's signature is raw `r || s` (RFC 7518 §3.4); OpenSSL speaks DER
/// (`SEQUENCE { INTEGER r, INTEGER s }`). Both conversions work in caller-provided buffers.
enum ECDSASignature {
    /// Writes the 64-byte raw form of a DER signature; false when `der` is not one.
    static func raw(fromDER der: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Bool {
        var index = 0
        func byte() -> UInt8? {
            guard index < der.count else { return nil }
            defer { index += 1 }
            return der[index]
        }
        guard byte() == 0x30, let total = byte(), total < 0x80, Int(total) == der.count - 2 else { return false }
        for half in 0..<2 {
            guard byte() == 0x02, let length = byte().map(Int.init), length >= 1, length <= 33, index + length <= der.count else { return false }
            var start = index
            var count = length
            while count > 32 || (count > 1 && der[start] == 0) {
                guard der[start] == 0 else { return false }
                start += 1
                count -= 1
            }
            let target = output + half * 32
            for i in 0..<(32 - count) { target[i] = 0 }
            for i in 0..<count { target[32 - count + i] = der[start + i] }
            index += length
        }
        return index == der.count
    }

    /// Writes the DER form of a 64-byte raw signature into `output` (72 bytes); returns its length.
    static func der(fromRaw raw: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var index = 2
        for half in 0..<2 {
            var start = half * 32
            let end = start + 32
            while start < end - 1 && raw[start] == 0 { start += 1 }
            let pad = raw[start] & 0x80 != 0 ? 1 : 0
            output[index] = 0x02
            output[index + 1] = UInt8(end - start + pad)
            index += 2
            if pad == 1 { output[index] = 0; index += 1 }
            for i in start..<end { output[index] = raw[i]; index += 1 }
        }
        output[0] = 0x30
        output[1] = UInt8(index - 2)
        return index
    }
}
