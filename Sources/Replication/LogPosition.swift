/// Where a follower's log ends, as it tells the leader in its `proof` message.
public struct LogPosition: Sendable, Hashable {
    /// The last LSN durable in the follower's log (0 for an empty log).
    public var durableLSN: UInt64
    /// The `crc` of the frame that ends at `durableLSN` (the log's chain CRC there; 0 for an
    /// empty log, or the base CRC of a log that starts after a snapshot).
    public var lastCRC: UInt32
    /// The terms of the follower's log.
    public var terms: TermHistory

    /// Creates a position.
    public init(durableLSN: UInt64, lastCRC: UInt32, terms: TermHistory) {
        self.durableLSN = durableLSN
        self.lastCRC = lastCRC
        self.terms = terms
    }

    /// The position of an empty log with no term record.
    public static let empty = LogPosition(durableLSN: 0, lastCRC: 0, terms: TermHistory())
}
