/// Reads `Authorization: Bearer <token>` strictly.
///
/// The scheme is matched case-insensitively (RFC 9110), then exactly one
/// space, then a non-empty token with no whitespace and nothing after it.
/// Anything else is INVALID_AUTHORIZATION_HEADER; no header is
/// AUTHORIZATION_REQUIRED. Repeated headers are refused as ambiguous.
public enum BearerCredentials {
    /// The token of the `Authorization` header values of one request.
    public static func token(fromHeaderValues values: [String]) throws(APIError) -> String {
        guard let value = values.first else { throw .authorizationRequired }
        guard values.count == 1 else { throw .invalidAuthorizationHeader }
        return try token(fromHeaderValue: value)
    }

    /// The token of one `Authorization` header value.
    public static func token(fromHeaderValue value: String) throws(APIError) -> String {
        let utf8 = value.utf8
        guard utf8.count > 7 else { throw .invalidAuthorizationHeader }
        var index = utf8.startIndex
        for expected in "bearer".utf8 {
            let byte = utf8[index]
            let lower = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
            guard lower == expected else { throw .invalidAuthorizationHeader }
            index = utf8.index(after: index)
        }
        guard utf8[index] == UInt8(ascii: " ") else { throw .invalidAuthorizationHeader }
        index = utf8.index(after: index)
        let tokenStart = index
        while index < utf8.endIndex {
            let byte = utf8[index]
            guard byte > 0x20, byte != 0x7F else { throw .invalidAuthorizationHeader }
            index = utf8.index(after: index)
        }
        let token = Substring(value.utf8[tokenStart...])
        guard !token.isEmpty else { throw .invalidAuthorizationHeader }
        return String(token)
    }
}
