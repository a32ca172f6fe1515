/// The id that ties a request's answer to its log lines.
///
/// Taken from the client's `X-Correlation-Id` (as the seed does) or
/// `X-Request-Id` when it is 1...128 RFC 9110 token characters (printable
/// ASCII without separators, so it is safe in headers, JSON and logs);
/// otherwise generated.
public enum CorrelationID {
    /// The longest id accepted from a client.
    public static let maximumLength = 128

    /// Whether a client-sent id may be used as is.
    public static func isAcceptable(_ candidate: String) -> Bool {
        let utf8 = candidate.utf8
        guard !utf8.isEmpty, utf8.count <= maximumLength else { return false }
        return utf8.allSatisfy(isTokenCharacter)
    }

    /// The first acceptable id among the client's headers, in order of preference.
    public static func fromClient(correlationID: String?, requestID: String?) -> String? {
        if let correlationID, isAcceptable(correlationID) { return correlationID }
        if let requestID, isAcceptable(requestID) { return requestID }
        return nil
    }

    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
