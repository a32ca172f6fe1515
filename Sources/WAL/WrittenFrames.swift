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

    /// The records the frames hold, in log order (the frames are verified again on the way).
    /// Throws `.corruption` (segment "-") for bytes that are not whole, verified frames.
    public func records() throws(WALError) -> [WALRecord] {
        var out: [WALRecord] = []
        var offset = 0
        while offset < bytes.count {
            let header: FrameHeader
            switch FrameHeader.decodeVerified(bytes, at: offset) {
            case .failure(let f): throw WALError.corruption(segment: "-", offset: offset, reason: f.reason)
            case .success(let h): header = h
            }
            switch FrameHeader.records(in: bytes, at: offset, header: header) {
            case .failure(let f): throw WALError.corruption(segment: "-", offset: offset, reason: f.reason)
            case .success(let payloads):
                for (i, p) in payloads.enumerated() {
                    out.append(WALRecord(lsn: header.firstLSN + UInt64(i), timestamp: header.timestamp, bytes: p))
                }
            }
            offset += header.frameLength
        }
        return out
    }
}
