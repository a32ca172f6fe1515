import CBenchCrypto

/// HMAC-SHA256 through OpenSSL's EVP_MAC with one context reused for every call: the same
/// technique the engine's signer uses, so the floor is the cheapest the engine could do.
/// Not thread-safe (one per benchmark, like one per shard in the engine).
public final class ReusedHMAC {
    private let mac: OpaquePointer
    private let context: OpaquePointer

    public init(key: [UInt8]) {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil), let context = EVP_MAC_CTX_new(mac) else {
            fatalError("OpenSSL HMAC is unavailable")
        }
        self.mac = mac
        self.context = context
        var ok: Int32 = 0
        // The parameter's name must outlive EVP_MAC_init (OSSL_PARAM keeps the pointer).
        "SHA256".withCString { digest in OSSL_MAC_PARAM_DIGEST.withCString { name in
            var params = [
                OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                OSSL_PARAM_construct_end(),
            ]
            ok = key.withUnsafeBufferPointer { EVP_MAC_init(context, $0.baseAddress, $0.count, &params) }
        } }
        precondition(ok == 1, "EVP_MAC_init failed")
    }

    deinit {
        EVP_MAC_CTX_free(context)
        EVP_MAC_free(mac)
    }

    /// The 32-byte MAC of `message` into `output`. A nil key keeps the key schedule already set.
    @inline(__always)
    public func authenticate(_ message: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) {
        var ok = EVP_MAC_init(context, nil, 0, nil)
        ok &= EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        var length = 0
        ok &= EVP_MAC_final(context, output, &length, 32)
        precondition(ok == 1 && length == 32, "HMAC failed")
    }
}

/// The crypto a refresh cannot avoid: verify the presented refresh token (one HMAC over its
/// signing input, constant-time compare), sign a new access and a new refresh token (two
/// HMACs over signing inputs of the same size), and draw 32 random bytes (token ids).
/// Everything else a refresh costs is engine overhead.
public final class CryptoFloor: @unchecked Sendable {
    public let signingInput: [UInt8]
    private let accessKey = ReusedHMAC(key: Array(repeating: 0xA5, count: 32))
    private let refreshKey = ReusedHMAC(key: Array(repeating: 0x5A, count: 32))
    private var presented = [UInt8](repeating: 0, count: 32)
    private var scratch = [UInt8](repeating: 0, count: 32)
    private var accessOut = [UInt8](repeating: 0, count: 32)
    private var refreshOut = [UInt8](repeating: 0, count: 32)
    private var random = [UInt8](repeating: 0, count: 32)

    /// `signingInput` defaults to a JWT signing input shaped like the engine's refresh
    /// tokens (header.payload in base64url), about 300 bytes.
    public init(signingInput: [UInt8]? = nil) {
        self.signingInput = signingInput ?? CryptoFloor.sampleSigningInput()
        do {
            let input = self.signingInput
            input.withUnsafeBytes { bytes in
                presented.withUnsafeMutableBufferPointer { refreshKey.authenticate(bytes, into: $0.baseAddress!) }
            }
        }
    }

    /// One HMAC-SHA256 verify of the signing input; true when the MAC matches.
    @inline(never)
    public func verify() -> Bool {
        signingInput.withUnsafeBytes { bytes in
            scratch.withUnsafeMutableBufferPointer { refreshKey.authenticate(bytes, into: $0.baseAddress!) }
        }
        var difference: UInt8 = 0
        for i in 0..<32 { difference |= scratch[i] ^ presented[i] }
        return difference == 0
    }

    /// One verify + two signs + 32 random bytes. Returns a byte so the work cannot be elided.
    @inline(never)
    public func refreshFloor() -> UInt8 {
        let ok = verify()
        signingInput.withUnsafeBytes { bytes in
            accessOut.withUnsafeMutableBufferPointer { accessKey.authenticate(bytes, into: $0.baseAddress!) }
            refreshOut.withUnsafeMutableBufferPointer { refreshKey.authenticate(bytes, into: $0.baseAddress!) }
        }
        let drew = random.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress!, 32) }
        precondition(ok && drew == 1)
        return accessOut[0] ^ refreshOut[0] ^ random[0]
    }

    /// `base64url({"alg":"HS256","typ":"JWT"}) . base64url(payload)` with the engine's claims.
    public static func sampleSigningInput() -> [UInt8] {
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        let payload = #"{"sub":"6f1c2a7e-93b4-8c1d-a2f0-5b7e9d3c1a42","sid":"0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a","jti":"Q2hhaW5MaW5rSWQxMjM0NQ","typ":"refresh","iss":"auth-api","aud":"auth-api-clients","iat":1767225600,"exp":1767830400}"#
        return Array((base64url(Array(header.utf8)) + "." + base64url(Array(payload.utf8))).utf8)
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out = [UInt8]()
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
