/// One record read back from the log.
public struct WALRecord: Sendable, Equatable {
    /// Its log sequence number (dense, from 1).
    public var lsn: UInt64
    /// When its frame was written, ms since the Unix epoch.
    public var timestamp: Int64
    /// The bytes given to `append`.
    public var bytes: [UInt8]

    /// Creates a record value.
    public init(lsn: UInt64, timestamp: Int64, bytes: [UInt8]) {
        self.lsn = lsn
        self.timestamp = timestamp
        self.bytes = bytes
    }
}
