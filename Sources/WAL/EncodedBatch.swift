/// A batch of records encoded and (maybe) compressed, ready to be framed. Kept by the writer until
/// it is synced, so that a failed write or sync can be redone on a new segment.
struct EncodedBatch {
    var firstLSN: UInt64
    var recordCount: Int
    var flags: UInt16
    var stored: [UInt8]
    var rawLength: Int
    var timestamp: Int64

    var lastLSN: UInt64 { firstLSN + UInt64(recordCount) - 1 }
    var frameLength: Int { FrameHeader.size + FrameHeader.aligned(stored.count) }

    /// Length-prefixes the records and lz4-compresses them; keeps them raw when lz4 does not shrink.
    init(firstLSN: UInt64, records: [[UInt8]], timestamp: Int64) {
        let raw = BatchPayload.encode(records)
        self.firstLSN = firstLSN
        self.recordCount = records.count
        self.rawLength = raw.count
        self.timestamp = timestamp
        if let compressed = LZ4Codec.compress(raw) {
            flags = FrameHeader.flagLZ4
            stored = compressed
        } else {
            flags = 0
            stored = raw
        }
    }

    func frame(prevCRC: UInt32) -> (bytes: [UInt8], crc: UInt32) {
        FrameHeader.frame(
            flags: flags, payload: stored, rawLength: rawLength, firstLSN: firstLSN,
            recordCount: recordCount, prevCRC: prevCRC, timestamp: timestamp)
    }
}
