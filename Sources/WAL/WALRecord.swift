/// One record read back from the log.
public struct WALRecord: Sendable, Equatable {
    /// Its log sequence number (dense, from 1).
    public var lsn: UInt64
    /// When its frame was written, ms since the Unix epoch.
    public var timestamp: Int64
    /// The bytes given to `append`.
    public var bytes: [UInt8]

    /// The first byte of a control record: a record the log's own machinery writes (a
    /// replication term start, for example). Applications never write a record starting with it
    /// and skip control records when they replay.
    public static let controlMarker: UInt8 = 0xFF

    /// Whether this is a control record (first byte `controlMarker`), not an application record.
    public var isControl: Bool { bytes.first == Self.controlMarker }

    /// Creates a record value.
    public init(lsn: UInt64, timestamp: Int64, bytes: [UInt8]) {
        self.lsn = lsn
        self.timestamp = timestamp
        self.bytes = bytes
    }
}
