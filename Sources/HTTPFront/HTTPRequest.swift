import NIOCore
import NIOHTTP1

/// One complete request as the channel handler collected it.
///
/// What is fixed once the head arrived is held in one object: a request is copied into several
/// closures on its way (the engine call, the durability completion, the hop back to its loop),
/// and a copy is then two reference counts (that object and the body) instead of one per field.
public struct HTTPRequest: Sendable {
    private final class Fixed: Sendable {
        let head: HTTPRequestHead
        let match: RouteMatch
        let socketAddress: String?
        let correlationID: String
        let startNanoseconds: UInt64

        init(head: HTTPRequestHead, match: RouteMatch, socketAddress: String?, correlationID: String, startNanoseconds: UInt64) {
            self.head = head
            self.match = match
            self.socketAddress = socketAddress
            self.correlationID = correlationID
            self.startNanoseconds = startNanoseconds
        }
    }

    private let fixed: Fixed
    /// The body bytes, if any arrived.
    public var body: ByteBuffer?

    /// The request line and headers.
    public var head: HTTPRequestHead { fixed.head }
    /// Where the router sent it.
    public var match: RouteMatch { fixed.match }
    /// The peer's IP address as the socket reports it.
    public var socketAddress: String? { fixed.socketAddress }
    /// The request's correlation id (the client's, or generated).
    public var correlationID: String { fixed.correlationID }
    /// When the head arrived (`NIODeadline.now()` nanoseconds), for `durationMs`.
    public var startNanoseconds: UInt64 { fixed.startNanoseconds }

    /// Creates a request.
    public init(
        head: HTTPRequestHead, match: RouteMatch, body: ByteBuffer?, socketAddress: String?, correlationID: String,
        startNanoseconds: UInt64 = NIODeadline.now().uptimeNanoseconds
    ) {
        fixed = Fixed(head: head, match: match, socketAddress: socketAddress, correlationID: correlationID,
                      startNanoseconds: startNanoseconds)
        self.body = body
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
