import NIOHTTP1

/// Reads `Authorization: Bearer <token>` strictly.
///
/// The scheme is matched case-insensitively (RFC 9110), then exactly one
/// space, then a non-empty token with no whitespace and nothing after it.
/// Anything else is INVALID_AUTHORIZATION_HEADER; no header is
/// AUTHORIZATION_REQUIRED. Repeated headers are refused as ambiguous.
public enum BearerCredentials {
    /// The token of a request's `Authorization` header, read from its headers in place.
    public static func token(from headers: HTTPHeaders) throws(APIError) -> String {
        switch headers.single("authorization") {
        case .absent: throw .authorizationRequired
        case .repeated: throw .invalidAuthorizationHeader
        case .value(let value): return try token(fromHeaderValue: value)
        }
    }

    /// The token of one `Authorization` header value.
    public static func token(fromHeaderValue value: String) throws(APIError) -> String {
        var value = value
        value.makeContiguousUTF8()
        // One pass over the bytes: checked, then the token's bytes copied once into its String
        // (the generic `String(Substring.UTF8View)` walked the token again scalar by scalar).
        let token: String? = value.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            // "bearer" (any case), one space, then at least one visible character and nothing else.
            guard bytes.count > 7 else { return nil }
            let scheme: StaticString = "bearer"
            for index in 0..<6 where bytes[index] | 0x20 != scheme.utf8Start[index] { return nil }
            guard bytes[6] == UInt8(ascii: " ") else { return nil }
            let token = UnsafeBufferPointer(rebasing: bytes[7...])
            guard isVisible(token) else { return nil }
            return String(decoding: token, as: UTF8.self)
        } ?? nil
        guard let token else { throw .invalidAuthorizationHeader }
        return token
    }

    /// Whether no byte of `bytes` is a control character, a space or DEL: eight bytes at a time
    /// (the exact "has a byte below n" and "has a zero byte" tricks), the rest one by one. A
    /// token is a few hundred bytes and this runs on every authenticated request.
    static func isVisible(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawBufferPointer(bytes)
        var index = 0
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let belowBang = (word &- ones &* 0x21) & ~word & highs
            let del = word ^ (ones &* 0x7F)
            let hasDel = (del &- ones) & ~del & highs
            if belowBang | hasDel != 0 { return false }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] <= 0x20 || bytes[index] == 0x7F { return false }
            index += 1
        }
        return true
    }
}
