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
        let valid: Bool = value.utf8.withContiguousStorageIfAvailable { bytes in
            // "bearer" (any case), one space, then at least one visible character and nothing else.
            guard bytes.count > 7 else { return false }
            let scheme: StaticString = "bearer"
            for index in 0..<6 where bytes[index] | 0x20 != scheme.utf8Start[index] { return false }
            guard bytes[6] == UInt8(ascii: " ") else { return false }
            for index in 7..<bytes.count where bytes[index] <= 0x20 || bytes[index] == 0x7F { return false }
            return true
        } ?? false
        guard valid else { throw .invalidAuthorizationHeader }
        return String(value.utf8.dropFirst(7))!
    }
}
