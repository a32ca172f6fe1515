import NIOCore

/// A request ready to go on the wire, with what the load loop needs to account
/// for its answer.
struct OutgoingRequest {
    /// The encoded HTTP/1.1 request (often the same pre-encoded buffer every time).
    var bytes: ByteBuffer
    /// Index into the scenario's endpoint labels (for per-endpoint latency).
    var endpoint: Int
    /// The status that counts as success; any other is an `ErrorKind.status`.
    var expectedStatus: Int
}
