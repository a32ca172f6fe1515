/// What the server knows about the client opening or refreshing a session.
public struct ClientInfo: Sendable, Equatable {
    public var userAgent: String?
    public var ipAddress: String?

    public init(userAgent: String? = nil, ipAddress: String? = nil) {
        self.userAgent = userAgent
        self.ipAddress = ipAddress
    }
}
