import NIOCore

/// One complete HTTP/1.1 response as the load loop needs it: the status, whether
/// the connection stays open, and the body (a slice of the read buffer, not a copy,
/// when the body was not chunked).
struct HTTPResponse {
    var status: Int
    var keepAlive: Bool
    var body: ByteBuffer
}
