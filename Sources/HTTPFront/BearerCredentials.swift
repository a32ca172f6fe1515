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
        var found: String?
        for (name, value) in headers where isAuthorization(name) {
            guard found == nil else { throw .invalidAuthorizationHeader }
            found = value
        }
        guard let found else { throw .authorizationRequired }
        return try token(fromHeaderValue: found)
    }

    /// Whether a header name is `Authorization`, in any case.
    static func isAuthorization(_ name: String) -> Bool {
        let expected: StaticString = "authorization"
        guard name.utf8.count == expected.utf8CodeUnitCount else { return false }
        var index = 0
        for byte in name.utf8 {
            guard byte | 0x20 == expected.utf8Start[index] else { return false }
            index += 1
        }
        return true
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
