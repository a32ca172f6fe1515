import NIOCore
import NIOHTTP1

/// A complete answer, ready to be written on the channel's event loop.
public struct HTTPResponse: Sendable {
    /// The status line's status.
    public var status: HTTPResponseStatus
    /// The body's media type, if it has one.
    public var contentType: ResponseContentType?
    /// Headers besides Content-Type, Content-Length, X-Correlation-Id and Connection (the
    /// writer adds those).
    public var headers: HTTPHeaders
    /// The body, if any.
    public var body: ByteBuffer?
    /// Close the connection after writing (e.g. after 413).
    public var closeConnection: Bool

    /// Creates an answer.
    public init(
        status: HTTPResponseStatus, contentType: ResponseContentType? = nil, headers: HTTPHeaders = HTTPHeaders(), body: ByteBuffer? = nil,
        closeConnection: Bool = false
    ) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.closeConnection = closeConnection
    }

    /// A JSON answer.
    public static func json(_ status: HTTPResponseStatus, _ body: ByteBuffer) -> HTTPResponse {
        HTTPResponse(status: status, contentType: .json, body: body)
    }

    /// 204 No Content.
    public static let noContent = HTTPResponse(status: .noContent)

    /// The error envelope for `error`, with its Retry-After / Allow headers.
    public static func error(_ error: APIError, correlationID: String, allocator: ByteBufferAllocator) -> HTTPResponse {
        var response = json(error.status, AuthJSON.errorEnvelope(error, correlationID: correlationID, allocator: allocator))
        if let seconds = error.retryAfterSeconds { response.headers.add(name: "Retry-After", value: String(seconds)) }
        if let allow = error.allow { response.headers.add(name: "Allow", value: allow) }
        if let leader = error.leader { response.headers.add(name: "X-Authd-Leader", value: leader) }
        return response
    }
}
