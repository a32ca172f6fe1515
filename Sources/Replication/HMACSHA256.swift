import COpenSSL

/// One-shot HMAC-SHA256 through OpenSSL's `EVP_MAC` (the handshake computes two per connection,
/// so no context is kept).
enum HMACSHA256 {
    /// Bytes of a MAC.
    static let length = 32

    /// The MAC of `message` under `key`.
    static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { fatalError("OpenSSL HMAC is unavailable") }
        defer { EVP_MAC_free(mac) }
        guard let context = EVP_MAC_CTX_new(mac) else { fatalError("EVP_MAC_CTX_new failed") }
        defer { EVP_MAC_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: length)
        var written = 0
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
                EVP_MAC_init(context, keyBuffer.baseAddress, keyBuffer.count, &params)
            }
            ok &= message.withUnsafeBufferPointer { EVP_MAC_update(context, $0.baseAddress, $0.count) }
            ok &= output.withUnsafeMutableBufferPointer { EVP_MAC_final(context, $0.baseAddress, &written, length) }
        } }
        precondition(ok == 1 && written == length, "HMAC-SHA256 computation failed")
        return output
    }

    /// Compares two MACs in time independent of where they differ (`CRYPTO_memcmp`).
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }

    /// `count` bytes from OpenSSL's CSPRNG (`RAND_bytes`).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "RAND_bytes failed")
        return bytes
    }
}
