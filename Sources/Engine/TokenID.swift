import COpenSSL

/// A 128-bit token identity (the JWT `jti`): the random id of one refresh-chain link, or
/// the access token id derived from one (`AccessTokenIDs`).
///
/// Sessions store only the current and parent link's `TokenID`, never the token itself.
public struct TokenID: Sendable, Hashable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh identity from the system CSPRNG (OpenSSL's DRBG), one call per id (tests and
    /// tools; shards draw theirs in bulk through `TokenIDSource`).
    static func random() -> TokenID {
        var pair: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &pair) { buffer in
            precondition(RAND_bytes(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), 16) == 1, "RAND_bytes failed")
        }
        return TokenID(high: pair.0, low: pair.1)
    }

    var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(16)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
        return out
    }

    init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        var h: UInt64 = 0
        var l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { l = l << 8 | UInt64(bytes[i]) }
        self.init(high: h, low: l)
    }

    /// The 22-character base64url form used as `jti`.
    var encoded: [UInt8] { withEncoded { Array($0) } }

    /// Calls `body` with the 22-character `jti` form, formatted on the stack.
    func withEncoded<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var pair = (high.bigEndian, low.bigEndian)
        return withUnsafeBytes(of: &pair) { raw in
            withUnsafeTemporaryAllocation(byteCount: 22, alignment: 1) { text in
                let length = Base64URL.encode(raw, into: text)
                return body(UnsafeRawBufferPointer(rebasing: text[..<length]))
            }
        }
    }

    init?<C: Collection>(encoded: C) where C.Element == UInt8 {
        guard encoded.count == 22, let raw = Base64URL.decode(encoded) else { return nil }
        self.init(bytes: raw)
    }

    /// Parses the `jti` form in place (a token's claims), with no allocation.
    init?(encoded: UnsafeBufferPointer<UInt8>) {
        guard encoded.count == 22 else { return nil }
        var pair: (UInt64, UInt64) = (0, 0)
        let length = withUnsafeMutableBytes(of: &pair) { raw in
            Base64URL.decode(encoded, into: UnsafeMutableBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 16))
        }
        guard length == 16 else { return nil }
        self.init(high: UInt64(bigEndian: pair.0), low: UInt64(bigEndian: pair.1))
    }
}
