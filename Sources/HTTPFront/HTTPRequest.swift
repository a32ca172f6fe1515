import NIOCore
import NIOHTTP1

/// One complete request as the channel handler collected it.
public struct HTTPRequest: Sendable {
    /// The request line and headers.
    public var head: HTTPRequestHead
    /// Where the router sent it.
    public var match: RouteMatch
    /// The body bytes, if any arrived.
    public var body: ByteBuffer?
    /// The peer's IP address as the socket reports it.
    public var socketAddress: String?
    /// The request's correlation id (the client's, or generated).
    public var correlationID: String
    /// When the head arrived (`NIODeadline.now()` nanoseconds), for `durationMs`.
    public var startNanoseconds: UInt64

    /// Creates a request.
    public init(
        head: HTTPRequestHead, match: RouteMatch, body: ByteBuffer?, socketAddress: String?, correlationID: String,
        startNanoseconds: UInt64 = NIODeadline.now().uptimeNanoseconds
    ) {
        self.head = head
        self.match = match
        self.body = body
        self.socketAddress = socketAddress
        self.correlationID = correlationID
        self.startNanoseconds = startNanoseconds
    }

    /// Whether the answer gets `Cache-Control: no-store` and `Pragma: no-cache`: the route's
    /// rule, and for a path no route matched, whether it lies under `/v1/auth`.
    public var answerMustNotBeCached: Bool {
        if case .route(let route, _) = match { return route.answersMustNotBeCached }
        return head.uri.hasPrefix("/v1/auth")
    }

    /// The route, when one matched.
    public var route: Route? {
        if case .route(let route, _) = match { return route }
        return nil
    }
}
