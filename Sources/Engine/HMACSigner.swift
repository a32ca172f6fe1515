import COpenSSL

/// HMAC-SHA256 with a reused OpenSSL `EVP_MAC_CTX`: about 4x cheaper than one-shot HMAC.
///
/// Not thread-safe: each shard owns its own signers, so no two threads touch one context.
final class HMACSigner {
    private let mac: OpaquePointer
    private let template: OpaquePointer
    private let context: OpaquePointer

    /// Creates a signer for `key`. Keys shorter than 32 bytes are refused by the engine's
    /// configuration before this point.
    init(key: [UInt8]) {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil), let template = EVP_MAC_CTX_new(mac) else {
            fatalError("OpenSSL HMAC is unavailable")
        }
        self.mac = mac
        self.template = template
        var ok: Int32 = 0
        // OSSL_PARAM keeps the name's pointer, so the name must outlive EVP_MAC_init: a string
        // literal passed straight to OSSL_PARAM_construct_utf8_string would be a temporary
        // freed when that call returns (AddressSanitizer: heap-use-after-free in OSSL_PARAM_locate).
        "SHA256".withCString { digest in "digest".withCString { name in
            var params = [
                OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                OSSL_PARAM_construct_end(),
            ]
            ok = key.withUnsafeBufferPointer { keyBuffer in
                EVP_MAC_init(template, keyBuffer.baseAddress, keyBuffer.count, &params)
            }
        } }
        precondition(ok == 1, "EVP_MAC_init failed")
        guard let context = EVP_MAC_CTX_dup(template) else { fatalError("EVP_MAC_CTX_dup failed") }
        self.context = context
    }

    deinit {
        EVP_MAC_CTX_free(context)
        EVP_MAC_CTX_free(template)
        EVP_MAC_free(mac)
    }

    /// Computes the 32-byte MAC of `message` into `output`.
    func authenticate(_ message: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) {
        // Re-initialising with a nil key keeps the key already set: no key schedule per call.
        var ok = EVP_MAC_init(context, nil, 0, nil)
        ok &= EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        var length = 0
        ok &= EVP_MAC_final(context, output, &length, 32)
        precondition(ok == 1 && length == 32, "HMAC computation failed")
    }

    /// The MAC of `message`.
    func authenticate(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        message.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { authenticate(input, into: $0.baseAddress!) }
        }
        return out
    }
}
