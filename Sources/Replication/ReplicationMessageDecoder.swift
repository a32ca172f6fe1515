/// Cuts a replication byte stream into messages: feed it bytes as they arrive, take whole
/// messages out.
///
/// Bounded: a length above `maximumMessageLength` is refused as soon as its four bytes are in,
/// before any of its body is buffered, so a peer cannot make the decoder hold more than one
/// maximum-size message. After an error the decoder stays failed (every later `next()` throws the
/// same error): the stream has lost its framing and the connection must be closed.
public struct ReplicationMessageDecoder: Sendable {
    /// The default bound on one message (type byte + body): 64 MiB. The leader must not pack
    /// more into one `frames` message, so a single WAL frame larger than this cannot be shipped.
    public static let defaultMaximumMessageLength = 64 << 20

    /// The longest message (type byte + body) accepted.
    public let maximumMessageLength: Int

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: ReplicationProtocolError?

    /// Creates a decoder that refuses messages longer than `maximumMessageLength`.
    public init(maximumMessageLength: Int = Self.defaultMaximumMessageLength) {
        precondition(maximumMessageLength >= 1, "a message holds at least its type byte")
        self.maximumMessageLength = maximumMessageLength
    }

    /// Bytes received and not yet returned as messages.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Appends bytes received from the peer.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, or nil when more bytes are needed; throws when the bytes are not
    /// a valid message (and from then on).
    public mutating func next() throws(ReplicationProtocolError) -> ReplicationMessage? {
        if let failure { throw failure }
        do {
            return try decodeNext()
        } catch {
            failure = error
            buffer = []
            readIndex = 0
            throw error
        }
    }

    /// Decodes exactly one message from `bytes` (length prefix included), refusing missing or
    /// extra bytes.
    public static func decode(
        _ bytes: [UInt8], maximumMessageLength: Int = defaultMaximumMessageLength
    ) throws(ReplicationProtocolError) -> ReplicationMessage {
        var decoder = ReplicationMessageDecoder(maximumMessageLength: maximumMessageLength)
        decoder.append(bytes)
        guard let message = try decoder.next() else {
            throw .truncated(context: "message of \(bytes.count) bytes")
        }
        guard decoder.bufferedByteCount == 0 else {
            throw .trailingBytes(context: "\(message.kind) message", count: decoder.bufferedByteCount)
        }
        return message
    }

    private mutating func decodeNext() throws(ReplicationProtocolError) -> ReplicationMessage? {
        guard bufferedByteCount >= 4 else { return nil }
        var length = 0
        for i in 0..<4 { length |= Int(buffer[readIndex + i]) << (8 * i) }
        guard length >= 1 else { throw .emptyMessage }
        guard length <= maximumMessageLength else {
            throw .messageTooLarge(length: length, maximum: maximumMessageLength)
        }
        guard bufferedByteCount >= 4 + length else { return nil }
        let type = buffer[readIndex + 4]
        let bodyStart = readIndex + 5
        let bodyEnd = readIndex + 4 + length
        let message = try ReplicationMessage.decode(type: type, buffer, from: bodyStart, to: bodyEnd)
        readIndex = bodyEnd
        compact()
        return message
    }

    /// Drops consumed bytes once they are at least half the buffer (amortised O(1) per byte).
    private mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            readIndex = 0
        } else if readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
