/// Whole frames the writer has just written to its segment (not necessarily synced yet), as
/// handed to a frame observer: the bytes exactly as on disk, for shipping to another log.
public struct WrittenFrames: Sendable {
    /// One or more whole frames, back to back.
    public var bytes: [UInt8]
    /// LSN of the first record in `bytes`.
    public var firstLSN: UInt64
    /// LSN of the last record in `bytes`.
    public var lastLSN: UInt64
    /// CRC of the last frame (what the next frame chains from).
    public var lastCRC: UInt32

    /// Creates a value.
    public init(bytes: [UInt8], firstLSN: UInt64, lastLSN: UInt64, lastCRC: UInt32) {
        self.bytes = bytes
        self.firstLSN = firstLSN
        self.lastLSN = lastLSN
        self.lastCRC = lastCRC
    }
}
