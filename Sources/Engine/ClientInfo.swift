/// What the server knows about the client opening or refreshing a session.
///
/// Both values are stored in the session and written to the WAL (the address again on
/// every refresh), so they are bounded here, whatever the caller hands in: the user agent
/// is cut to `maximumUserAgentBytes` of UTF-8 on a scalar boundary (still valid UTF-8),
/// and an address longer than `maximumAddressBytes` (no IPv4 or IPv6 text is) is dropped.
public struct ClientInfo: Sendable, Equatable {
    /// The most of a `User-Agent` kept: real ones are well under 300 bytes.
    public static let maximumUserAgentBytes = 512
    /// The longest address kept (an IPv6 text is at most 45 bytes).
    public static let maximumAddressBytes = 64

    /// The client's `User-Agent`, at most `maximumUserAgentBytes` of UTF-8.
    public let userAgent: String?
    /// The client's IP address as the HTTP front resolved it.
    public let ipAddress: String?

    /// Bounds `userAgent` and `ipAddress` as described above.
    public init(userAgent: String? = nil, ipAddress: String? = nil) {
        self.userAgent = userAgent.map { Self.prefix($0, utf8Bytes: Self.maximumUserAgentBytes) }
        self.ipAddress = ipAddress.flatMap { $0.utf8.count <= Self.maximumAddressBytes ? $0 : nil }
    }

    /// The longest prefix of `text` of at most `limit` UTF-8 bytes that ends on a scalar boundary.
    static func prefix(_ text: String, utf8Bytes limit: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > limit else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        // A byte of the form 0b10_xxxxxx continues a scalar: back off to the scalar's first byte.
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }
}
